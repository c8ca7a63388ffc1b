/** Follow and unfollow: idempotent, one D1 batch each. */
import { requireActiveUser } from "../../auth/bearer";
import type { Database } from "../../db/client";
import { follow, unfollow } from "../../db/follows";
import { selectCaller } from "../../db/caller";
import { BadRequest, NotFound } from "../../http/errors";

export async function followUser(db: Database, callerId: number, targetId: number): Promise<string> {
  if (callerId === targetId) {
    // Authentication still comes first, as in DRF.
    const [caller] = await selectCaller(db, callerId);
    requireActiveUser(caller);
    throw new BadRequest("You cannot follow yourself.");
  }
  const { caller, target } = await follow(db, callerId, targetId);
  requireActiveUser(caller);
  if (!target) throw new NotFound();
  return target.username;
}

export async function unfollowUser(db: Database, callerId: number, targetId: number): Promise<string> {
  const { caller, target } = await unfollow(db, callerId, targetId);
  requireActiveUser(caller);
  if (!target) throw new NotFound();
  return target.username;
}
