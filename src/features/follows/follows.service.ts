/**
 * Follow and unfollow: idempotent, one atomic write each behind the caller's guard. A follow is
 * refused while a block stands either way. The feed's work follows a change: a follow backfills
 * the followee's posts into the follower's feed (and promotes an author who has just reached
 * FEED_PULL_THRESHOLD followers to a pull author), an unfollow purges them; both after the response.
 */
import { BadRequest, NotFound, PermissionDenied } from "../../http/errors";
import type { CallerDeps } from "../../lib/deps";
import type { FollowTarget } from "../../store";

export type FollowAction = "follow" | "unfollow";

/** Follows or unfollows `targetId`; answers their username. */
export async function changeFollow(deps: CallerDeps, { targetId, action }: { targetId: number; action: FollowAction }): Promise<string> {
  const { caller } = deps;
  if (caller.identity.id === targetId) {
    // Authentication still comes first, as in DRF.
    await caller.check();
    throw new BadRequest(`You cannot ${action} yourself.`);
  }
  const { target } = await caller.follows.change(action, targetId, Date.now());
  if (!target) throw new NotFound();
  // An unfollow while a block stands changes nothing (the block ended the follow) and answers as any repeat.
  if (action === "follow" && target.blocked) throw new PermissionDenied();
  if (target.changed) queueFeedWork(deps, action, targetId, target);
  return target.username;
}

function queueFeedWork(deps: CallerDeps, action: FollowAction, authorId: number, target: FollowTarget): void {
  const ownerId = deps.caller.identity.id;
  if (action === "unfollow") {
    deps.feed.enqueue({ kind: "purge", ownerId, authorId });
    return;
  }
  // A pull author's posts are read from their own index: nothing to copy.
  if (target.feedPull) return;
  deps.feed.enqueue({ kind: "backfill", ownerId, authorId });
  if (target.followersCount >= deps.config.feedPullThreshold) deps.feed.enqueue({ kind: "promote", authorId });
}
