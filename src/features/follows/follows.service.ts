/** Follow and unfollow: idempotent, one guarded D1 batch each. */
import { followStatements, unfollowStatements } from "../../db/follows";
import { BadRequest, NotFound } from "../../http/errors";
import type { CallerDeps } from "../../lib/deps";

export type FollowAction = "follow" | "unfollow";

const STATEMENTS = { follow: followStatements, unfollow: unfollowStatements };

/** Follows or unfollows `targetId`; answers their username. */
export async function changeFollow({ caller, db }: CallerDeps, { targetId, action }: { targetId: number; action: FollowAction }): Promise<string> {
  if (caller.id === targetId) {
    // Authentication still comes first, as in DRF.
    await caller.check();
    throw new BadRequest(`You cannot ${action} yourself.`);
  }
  const { results } = await caller.batch(STATEMENTS[action](db, caller.id, targetId));
  const [target] = results[3];
  if (!target) throw new NotFound();
  return target.username;
}
