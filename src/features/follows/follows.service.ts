/** Follow and unfollow: idempotent, one guarded D1 batch each. */
import { followStatements, unfollowStatements } from "../../db/follows";
import { BadRequest, NotFound } from "../../http/errors";
import type { CallerDeps } from "../../lib/deps";

/** Follows `targetId`; answers their username. */
export async function followUser({ caller, db }: CallerDeps, { targetId }: { targetId: number }): Promise<string> {
  if (caller.id === targetId) {
    // Authentication still comes first, as in DRF.
    await caller.check();
    throw new BadRequest("You cannot follow yourself.");
  }
  const { results } = await caller.batch(followStatements(db, caller.id, targetId));
  return nameOf(results[3]);
}

/** Unfollows `targetId`; answers their username. */
export async function unfollowUser({ caller, db }: CallerDeps, { targetId }: { targetId: number }): Promise<string> {
  if (caller.id === targetId) {
    await caller.check();
    throw new BadRequest("You cannot unfollow yourself.");
  }
  const { results } = await caller.batch(unfollowStatements(db, caller.id, targetId));
  return nameOf(results[3]);
}

function nameOf(rows: { username: string }[]): string {
  const [target] = rows;
  if (!target) throw new NotFound();
  return target.username;
}
