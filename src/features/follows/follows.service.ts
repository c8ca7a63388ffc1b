/** Follow and unfollow: idempotent, one atomic write each behind the caller's guard. */
import { BadRequest, NotFound } from "../../http/errors";
import type { CallerDeps } from "../../lib/deps";

export type FollowAction = "follow" | "unfollow";

/** Follows or unfollows `targetId`; answers their username. */
export async function changeFollow({ caller }: CallerDeps, { targetId, action }: { targetId: number; action: FollowAction }): Promise<string> {
  if (caller.identity.id === targetId) {
    // Authentication still comes first, as in DRF.
    await caller.check();
    throw new BadRequest(`You cannot ${action} yourself.`);
  }
  const { target } = await caller.follows.change(action, targetId, Date.now());
  if (!target) throw new NotFound();
  return target.username;
}
