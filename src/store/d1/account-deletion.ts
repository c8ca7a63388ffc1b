/**
 * The statements that delete a user whole, for one batch (one transaction): every other user's
 * counter that one of their follows moved, the likes_count and comments_count of other users'
 * posts that they liked or commented on, their follows both ways, their sessions, their known
 * addresses, and the row. The row's foreign keys cascade to the rest: their posts (and with them
 * those posts' comments, likes, feed entries and notifications), their comments and likes, their
 * feed, the notifications to or from them, their blocks and mutes both ways. D1 runs batches one
 * at a time, so a follow, like or comment racing the deletion either lands before it (and is
 * undone with its counter here) or finds no user.
 */
import { type SQL, and, eq, inArray, or, sql } from "drizzle-orm";
import type { Database } from "./client";
import { rawRun } from "./raw-statement";
import { follows, knownAddresses, tokenFamilies, users } from "./schema";

/**
 * Other users' posts lose what user `userId` gave them (their own posts go whole with them): their
 * likes (likes_pair) and comments (comments_author_newest) grouped by post, then each post by its
 * key. Linear in what the user gave, however many likes or comments those posts have.
 */
function recountTheirPosts(db: Database, userId: number, permitted?: SQL) {
  return rawRun(
    db,
    sql`update posts set likes_count = posts.likes_count - gave.likes, comments_count = posts.comments_count - gave.comments
      from (
        select post_id, sum(liked) as likes, sum(commented) as comments from (
          select post_id, 1 as liked, 0 as commented from likes where user_id = ${userId}
          union all select post_id, 0, 1 from comments where author_id = ${userId}
        ) group by post_id
      ) as gave
      where posts.id = gave.post_id and posts.author_id <> ${userId} ${permitted ? sql`and ${permitted}` : sql``}`,
  );
}

/** `permitted` (SQL, optional) conditions every statement: an admin's deletion changes nothing unless it holds. */
export function deleteUserStatements(db: Database, userId: number, permitted?: SQL) {
  const followed = db.select({ id: follows.followeeId }).from(follows).where(eq(follows.followerId, userId));
  const followers = db.select({ id: follows.followerId }).from(follows).where(eq(follows.followeeId, userId));
  return [
    db.update(users).set({ followersCount: sql`${users.followersCount} - 1` }).where(and(inArray(users.id, followed), permitted)),
    db.update(users).set({ followingCount: sql`${users.followingCount} - 1` }).where(and(inArray(users.id, followers), permitted)),
    recountTheirPosts(db, userId, permitted),
    db.delete(follows).where(and(or(eq(follows.followerId, userId), eq(follows.followeeId, userId)), permitted)),
    db.delete(knownAddresses).where(and(eq(knownAddresses.userId, userId), permitted)),
    db.delete(tokenFamilies).where(and(eq(tokenFamilies.userId, userId), permitted)).returning({ id: tokenFamilies.id, expiresAt: tokenFamilies.expiresAt }),
    db.delete(users).where(and(eq(users.id, userId), permitted)).returning({ profilePicture: users.profilePicture }),
  ] as const;
}
