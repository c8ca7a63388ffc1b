/**
 * The statements that delete a user whole, for one batch (one transaction): every other user's
 * counter that one of their follows moved, their follows both ways, their sessions, their known
 * addresses, and the row. D1 runs batches one at a time, so a follow of this user racing the
 * deletion either lands before it (and is undone with its counter here) or finds no user.
 */
import { eq, inArray, or, sql } from "drizzle-orm";
import type { Database } from "./client";
import { follows, knownAddresses, tokenFamilies, users } from "./schema";

export function deleteUserStatements(db: Database, userId: number) {
  const followed = db.select({ id: follows.followeeId }).from(follows).where(eq(follows.followerId, userId));
  const followers = db.select({ id: follows.followerId }).from(follows).where(eq(follows.followeeId, userId));
  return [
    db.update(users).set({ followersCount: sql`${users.followersCount} - 1` }).where(inArray(users.id, followed)),
    db.update(users).set({ followingCount: sql`${users.followingCount} - 1` }).where(inArray(users.id, followers)),
    db.delete(follows).where(or(eq(follows.followerId, userId), eq(follows.followeeId, userId))),
    db.delete(knownAddresses).where(eq(knownAddresses.userId, userId)),
    db.delete(tokenFamilies).where(eq(tokenFamilies.userId, userId)).returning({ id: tokenFamilies.id, expiresAt: tokenFamilies.expiresAt }),
    db.delete(users).where(eq(users.id, userId)).returning({ profilePicture: users.profilePicture }),
  ] as const;
}
