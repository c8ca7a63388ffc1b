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
import { type SQL, and, count, eq, inArray, ne, or, sql } from "drizzle-orm";
import { union } from "drizzle-orm/sqlite-core";
import type { Database } from "./client";
import { follows, knownAddresses, tokenFamilies, users } from "./schema";
import { comments, likes, posts } from "./social-schema";

/**
 * Other users' posts lose what user `userId` gave them (their own posts go whole with them): a
 * like at most (likes_pair) and any number of comments each, counted by index lookups
 * (likes_pair, comments_author_newest) for the posts they touched only.
 */
function recountTheirPosts(db: Database, userId: number, permitted?: SQL) {
  const touched = union(
    db.select({ id: likes.postId }).from(likes).where(eq(likes.userId, userId)),
    db.select({ id: comments.postId }).from(comments).where(eq(comments.authorId, userId)),
  );
  const liked = db.select({ n: count() }).from(likes).where(and(eq(likes.userId, userId), eq(likes.postId, posts.id)));
  const commented = db.select({ n: count() }).from(comments).where(and(eq(comments.authorId, userId), eq(comments.postId, posts.id)));
  return db
    .update(posts)
    .set({ likesCount: sql`${posts.likesCount} - ${liked}`, commentsCount: sql`${posts.commentsCount} - ${commented}` })
    .where(and(inArray(posts.id, touched), ne(posts.authorId, userId), permitted));
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
