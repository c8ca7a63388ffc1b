/**
 * Data access for the follow graph, as statements for the caller's batch (one transaction, one
 * round trip): the edge, both counters and the follow notification move together, guarded so
 * that repeating a follow or unfollow changes nothing and no follow lands while a block stands;
 * the caller's batch guard refuses a deleted or inactive caller.
 */
import { and, asc, desc, eq, exists, gt, lt, not, notExists, sql } from "drizzle-orm";
import { type SQLiteColumn, alias } from "drizzle-orm/sqlite-core";
import type { Database } from "./client";
import { follows, users } from "./schema";
import { notifications } from "./social-schema";
import { anyUser } from "./caller";
import { blockedEitherWay } from "./relations-sql";
import type { FollowCursor, FollowDirection } from "../rows";

const pair = (db: Database, followerId: number, followeeId: number) =>
  db.select({ one: sql`1` }).from(follows).where(and(eq(follows.followerId, followerId), eq(follows.followeeId, followeeId)));

/** SQL for "`callerId` follows the user in `userId`" (an index lookup in follows_pair). */
export function isFollowedBy(db: Database, callerId: number, userId: SQLiteColumn) {
  const mine = alias(follows, "mine");
  const edge = db.select({ one: sql`1` }).from(mine).where(and(eq(mine.followerId, callerId), eq(mine.followeeId, userId)));
  return sql<number>`${exists(edge)}`;
}

/** The cause of `actor`'s follow notification to `recipient` (notifications_cause: one at most). */
export const followCause = (actor: number, recipient: number) => `follow:${actor}:${recipient}`;

/** The target as a follow answers it (after the batch's writes): name, block, pull, followers. */
const targetState = (db: Database, callerId: number, targetId: number) =>
  db
    .select({ username: users.username, feedPull: users.feedPull, followersCount: users.followersCount, blocked: sql<number>`${blockedEitherWay(db, callerId, targetId)}` })
    .from(users)
    .where(eq(users.id, targetId));

/**
 * The statements of "`callerId` follows `targetId`": both counters, the follow notification and
 * the edge move together, only if the target exists, the edge does not (so repeating it changes
 * nothing) and no block stands either way. The edge's insert returns it when it landed; the last
 * statement reads the target. Run them in the caller's batch, which checks the caller.
 */
export function followStatements(db: Database, callerId: number, targetId: number, now: number) {
  const unblocked = not(blockedEitherWay(db, callerId, targetId));
  const allowed = and(exists(anyUser(db, targetId)), notExists(pair(db, callerId, targetId)), unblocked);
  return [
    db.update(users).set({ followingCount: sql`${users.followingCount} + 1` }).where(and(eq(users.id, callerId), allowed)),
    db.update(users).set({ followersCount: sql`${users.followersCount} + 1` }).where(and(eq(users.id, targetId), allowed)),
    // Before the edge: `allowed` still sees it absent.
    db
      .insert(notifications)
      .select(
        db
          .select({
            id: sql`null`.as("id"),
            recipientId: users.id,
            actorId: sql`${callerId}`.as("actor_id"),
            kind: sql`'follow'`.as("kind"),
            postId: sql`null`.as("post_id"),
            commentId: sql`null`.as("comment_id"),
            cause: sql`${followCause(callerId, targetId)}`.as("cause"),
            read: sql`0`.as("read"),
            createdAt: sql`${now}`.as("created_at"),
          })
          .from(users)
          .where(and(eq(users.id, targetId), allowed)),
      )
      .onConflictDoNothing(),
    db
      .insert(follows)
      .select(
        db
          // Drizzle's insert-select takes every column in table order; a NULL id is assigned by SQLite.
          .select({ id: sql`null`.as("id"), followerId: sql`${callerId}`.as("follower_id"), followeeId: users.id, createdAt: sql`${now}`.as("created_at"), pull: sql`${users.feedPull}`.as("pull") })
          .from(users)
          .where(and(eq(users.id, targetId), unblocked)),
      )
      .onConflictDoNothing()
      .returning({ id: follows.id }),
    targetState(db, callerId, targetId),
  ] as const;
}

/** The statements of "`callerId` unfollows `targetId`", the mirror of `followStatements` (the notification goes with the edge). */
export function unfollowStatements(db: Database, callerId: number, targetId: number) {
  const allowed = exists(pair(db, callerId, targetId));
  return [
    db.update(users).set({ followingCount: sql`${users.followingCount} - 1` }).where(and(eq(users.id, callerId), allowed)),
    db.update(users).set({ followersCount: sql`${users.followersCount} - 1` }).where(and(eq(users.id, targetId), allowed)),
    db.delete(notifications).where(and(eq(notifications.cause, followCause(callerId, targetId)), allowed)),
    db.delete(follows).where(and(eq(follows.followerId, callerId), eq(follows.followeeId, targetId))).returning({ id: follows.id }),
    targetState(db, callerId, targetId),
  ] as const;
}

/**
 * One page of a follow list, newest first, with the caller's `is_following` flag per user, and
 * whether the list's owner exists, as statements for the caller's batch. A range scan of
 * follows_followee_newest / follows_follower_newest: the cost depends on the page, not the list.
 * `limit + 1` rows are read: the extra one only tells whether there is more.
 */
export function followPageStatements(
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
  return [
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
  ] as const;
}
