/**
 * Data access for the follow graph. Every change is one D1 batch (one transaction, one round
 * trip) in which the edge and both counters move together, guarded so that repeating a follow
 * or unfollow changes nothing and a deleted or inactive caller changes nothing.
 */
import { and, asc, desc, eq, exists, gt, lt, notExists, sql } from "drizzle-orm";
import { type SQLiteColumn, alias } from "drizzle-orm/sqlite-core";
import type { Database } from "./client";
import { follows, users } from "./schema";
import { activeUser, anyUser, selectCaller } from "./caller";

const pair = (db: Database, followerId: number, followeeId: number) =>
  db.select({ one: sql`1` }).from(follows).where(and(eq(follows.followerId, followerId), eq(follows.followeeId, followeeId)));

/** SQL for "`callerId` follows the user in `userId`" (an index lookup in follows_pair). */
export function isFollowedBy(db: Database, callerId: number, userId: SQLiteColumn) {
  const mine = alias(follows, "mine");
  const edge = db.select({ one: sql`1` }).from(mine).where(and(eq(mine.followerId, callerId), eq(mine.followeeId, userId)));
  return sql<number>`${exists(edge)}`;
}

const targetName = (db: Database, id: number) => db.select({ username: users.username }).from(users).where(eq(users.id, id));

/** Follows `targetId` as `callerId`; returns the caller (for the auth check) and the target's name. */
export async function follow(db: Database, callerId: number, targetId: number) {
  const allowed = and(exists(activeUser(db, callerId)), exists(anyUser(db, targetId)), notExists(pair(db, callerId, targetId)));
  const results = await db.batch([
    db.update(users).set({ followingCount: sql`${users.followingCount} + 1` }).where(and(eq(users.id, callerId), allowed)),
    db.update(users).set({ followersCount: sql`${users.followersCount} + 1` }).where(and(eq(users.id, targetId), allowed)),
    db
      .insert(follows)
      .select(
        db
          // Drizzle's insert-select takes every column in table order; a NULL id is assigned by SQLite.
          .select({ id: sql`null`.as("id"), followerId: sql`${callerId}`.as("follower_id"), followeeId: users.id, createdAt: sql`${Date.now()}`.as("created_at") })
          .from(users)
          .where(and(eq(users.id, targetId), exists(activeUser(db, callerId)))),
      )
      .onConflictDoNothing(),
    selectCaller(db, callerId),
    targetName(db, targetId),
  ]);
  return { caller: results[3][0], target: results[4][0] };
}

/** Unfollows `targetId` as `callerId`, the mirror of `follow`. */
export async function unfollow(db: Database, callerId: number, targetId: number) {
  const allowed = and(exists(activeUser(db, callerId)), exists(pair(db, callerId, targetId)));
  const results = await db.batch([
    db.update(users).set({ followingCount: sql`${users.followingCount} - 1` }).where(and(eq(users.id, callerId), allowed)),
    db.update(users).set({ followersCount: sql`${users.followersCount} - 1` }).where(and(eq(users.id, targetId), allowed)),
    db
      .delete(follows)
      .where(and(eq(follows.followerId, callerId), eq(follows.followeeId, targetId), exists(activeUser(db, callerId)))),
    selectCaller(db, callerId),
    targetName(db, targetId),
  ]);
  return { caller: results[3][0], target: results[4][0] };
}

export type FollowDirection = "followers" | "following";

/** A position in a follow list: after (`forward`) or before the follow row `id`. */
export interface FollowCursor {
  id: number;
  forward: boolean;
}

/**
 * One page of a follow list, newest first, with the caller's `is_following` flag per user, the
 * list owner's existence and the caller, in one round trip. A range scan of
 * follows_followee_newest / follows_follower_newest: the cost depends on the page, not the list.
 */
export async function followPage(
  db: Database,
  callerId: number,
  ownerId: number,
  direction: FollowDirection,
  cursor: FollowCursor | undefined,
  limit: number,
) {
  // followers of X: rows whose followee is X, listing their followers; following: the reverse.
  const [ownerColumn, otherColumn] =
    direction === "followers" ? [follows.followeeId, follows.followerId] : [follows.followerId, follows.followeeId];
  const forward = cursor?.forward ?? true;
  const position = cursor ? (forward ? lt(follows.id, cursor.id) : gt(follows.id, cursor.id)) : undefined;
  const [[caller], [owner], rows] = await db.batch([
    selectCaller(db, callerId),
    anyUser(db, ownerId),
    db
      .select({
        // Aliased: drizzle maps D1 batch rows by column name, and users.id is also "id".
        position: sql<number>`${follows.id}`.as("position"),
        user: users,
        isFollowing: isFollowedBy(db, callerId, users.id),
      })
      .from(follows)
      .innerJoin(users, eq(users.id, otherColumn))
      .where(and(eq(ownerColumn, ownerId), position))
      .orderBy(forward ? desc(follows.id) : asc(follows.id))
      .limit(limit + 1),
  ]);
  return { caller, ownerExists: owner !== undefined, rows, forward };
}
