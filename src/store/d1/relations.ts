/**
 * Blocks, mutes and relationships on D1, as statements for the caller's batch (one transaction,
 * one round trip; D1 runs batches one at a time, so a follow racing a block lands wholly before
 * it, and is ended by it, or wholly after, and is refused).
 */
import { and, asc, desc, eq, exists, gt, inArray, lt, ne, or, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/sqlite-core";
import type { ListCursor } from "../social";
import { anyUser } from "./caller";
import type { Database } from "./client";
import { followCause, isFollowedBy } from "./follows";
import { blocking, muting } from "./relations-sql";
import { follows, users } from "./schema";
import { blocks, mutes, notifications } from "./social-schema";

export type RelationAction = "block" | "unblock" | "mute" | "unmute";

/** SQL: `follower` follows `followee` (follows_pair). */
function edge(db: Database, follower: number | typeof users.id, followee: number | typeof users.id) {
  const f = alias(follows, "edge");
  return exists(db.select({ one: sql`1` }).from(f).where(and(eq(f.followerId, follower), eq(f.followeeId, followee))));
}

/** The caller's relationship with each of the users `ids` that exist (in no particular order), and whether their posts are pulled. */
export function relationshipsOf(db: Database, callerId: number, ids: number[]) {
  return db
    .select({
      id: users.id,
      following: sql<number>`${edge(db, callerId, users.id)}`,
      followedBy: sql<number>`${edge(db, users.id, callerId)}`,
      blocking: sql<number>`${exists(blocking(db, callerId, users.id))}`,
      blockedBy: sql<number>`${exists(blocking(db, users.id, callerId))}`,
      muting: sql<number>`${exists(muting(db, callerId, users.id))}`,
      feedPull: users.feedPull,
    })
    .from(users)
    .where(inArray(users.id, ids));
}

/**
 * The statements of a block: both users' counters lose the follows between them, the follows and
 * their notifications go, and the block row lands (once: blocks_pair), only if the target
 * exists. The last statement reads the relationship after them.
 */
function blockStatements(db: Database, callerId: number, targetId: number, now: number) {
  const known = exists(anyUser(db, targetId));
  const mine = edge(db, callerId, targetId);
  const theirs = edge(db, targetId, callerId);
  return [
    db
      .update(users)
      .set({
        followingCount: sql`${users.followingCount} - (case when ${users.id} = ${callerId} then ${mine} else ${theirs} end)`,
        followersCount: sql`${users.followersCount} - (case when ${users.id} = ${callerId} then ${theirs} else ${mine} end)`,
      })
      .where(and(inArray(users.id, [callerId, targetId]), known)),
    db.delete(notifications).where(inArray(notifications.cause, [followCause(callerId, targetId), followCause(targetId, callerId)])),
    db
      .delete(follows)
      .where(or(and(eq(follows.followerId, callerId), eq(follows.followeeId, targetId)), and(eq(follows.followerId, targetId), eq(follows.followeeId, callerId)))),
    db
      .insert(blocks)
      .select(
        db
          .select({ id: sql`null`.as("id"), blockerId: sql`${callerId}`.as("blocker_id"), blockedId: users.id, createdAt: sql`${now}`.as("created_at") })
          .from(users)
          .where(and(eq(users.id, targetId), ne(users.id, callerId))),
      )
      .onConflictDoNothing(),
  ] as const;
}

/** The writes of `action` on the caller's relation with `targetId` (each idempotent). */
export function relationWrites(db: Database, action: RelationAction, callerId: number, targetId: number, now: number) {
  switch (action) {
    case "block":
      return blockStatements(db, callerId, targetId, now);
    case "unblock":
      return [db.delete(blocks).where(and(eq(blocks.blockerId, callerId), eq(blocks.blockedId, targetId)))] as const;
    case "mute":
      return [
        db
          .insert(mutes)
          .select(
            db
              .select({ id: sql`null`.as("id"), muterId: sql`${callerId}`.as("muter_id"), mutedId: users.id, createdAt: sql`${now}`.as("created_at") })
              .from(users)
              .where(and(eq(users.id, targetId), ne(users.id, callerId))),
          )
          .onConflictDoNothing(),
      ] as const;
    case "unmute":
      return [db.delete(mutes).where(and(eq(mutes.muterId, callerId), eq(mutes.mutedId, targetId)))] as const;
  }
}

/**
 * A page of the users the caller blocks or mutes, latest first (a range of blocks_blocker_newest /
 * mutes_muter_newest), with the caller's `is_following` flag; `limit + 1` rows in the cursor's direction.
 */
export function relatedPage(db: Database, callerId: number, kind: "blocks" | "mutes", cursor: ListCursor | undefined, limit: number) {
  const [table, owner, other] = kind === "blocks" ? [blocks, blocks.blockerId, blocks.blockedId] : [mutes, mutes.muterId, mutes.mutedId];
  const forward = cursor?.forward ?? true;
  const position = cursor ? (forward ? lt(table.id, cursor.id) : gt(table.id, cursor.id)) : undefined;
  return db
    .select({
      // Aliased: drizzle maps D1 batch rows by column name, and users.id is also "id".
      position: sql<number>`${table.id}`.as("position"),
      user: users,
      isFollowing: isFollowedBy(db, callerId, users.id),
    })
    .from(table)
    .innerJoin(users, eq(users.id, other))
    .where(and(eq(owner, callerId), position))
    .orderBy(forward ? desc(table.id) : asc(table.id))
    .limit(limit + 1);
}
