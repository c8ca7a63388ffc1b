/**
 * The statements that delete a user whole, for one batch (one transaction): every other user's
 * counter that one of their follows moved, their follows both ways, their sessions, their known
 * addresses, and the row. D1 runs batches one at a time, so a follow of this user racing the
 * deletion either lands before it (and is undone with its counter here) or finds no user.
 */
import { type SQL, and, eq, inArray, or, sql } from "drizzle-orm";
import type { Database } from "./client";
import { follows, knownAddresses, tokenFamilies, users } from "./schema";

/** `permitted` (SQL, optional) conditions every statement: an admin's deletion changes nothing unless it holds. */
export function deleteUserStatements(db: Database, userId: number, permitted?: SQL) {
  const followed = db.select({ id: follows.followeeId }).from(follows).where(eq(follows.followerId, userId));
  const followers = db.select({ id: follows.followerId }).from(follows).where(eq(follows.followeeId, userId));
  return [
    db.update(users).set({ followersCount: sql`${users.followersCount} - 1` }).where(and(inArray(users.id, followed), permitted)),
    db.update(users).set({ followingCount: sql`${users.followingCount} - 1` }).where(and(inArray(users.id, followers), permitted)),
    db.delete(follows).where(and(or(eq(follows.followerId, userId), eq(follows.followeeId, userId)), permitted)),
    db.delete(knownAddresses).where(and(eq(knownAddresses.userId, userId), permitted)),
    db.delete(tokenFamilies).where(and(eq(tokenFamilies.userId, userId), permitted)).returning({ id: tokenFamilies.id, expiresAt: tokenFamilies.expiresAt }),
    db.delete(users).where(and(eq(users.id, userId), permitted)).returning({ profilePicture: users.profilePicture }),
  ] as const;
}
