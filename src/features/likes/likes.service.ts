/**
 * Like and unlike: one like per user and post, the counter and the post author's notification
 * moving in the same atomic write as the like (concurrent likes by one user: one 201). A post
 * unknown or hidden by a block is 404; a like that changes nothing is the course's 400.
 */
import { BadRequest, NotFound } from "../../http/errors";
import type { CallerDeps } from "../../lib/deps";

/** The post's likes after the like. */
export async function likePost({ caller }: CallerDeps, { id }: { id: number }): Promise<number> {
  const { outcome, likesCount } = await caller.content.like(id, Date.now());
  if (outcome === "not_found") throw new NotFound();
  if (outcome === "already") throw new BadRequest("You have already liked this post.");
  return likesCount;
}

/** The post's likes after the unlike. */
export async function unlikePost({ caller }: CallerDeps, { id }: { id: number }): Promise<number> {
  const { outcome, likesCount } = await caller.content.unlike(id);
  if (outcome === "not_found") throw new NotFound();
  if (outcome === "not_liked") throw new BadRequest("You have not liked this post.");
  return likesCount;
}
