/**
 * Writes of posts, comments and likes on D1, as statements for the caller's batch (one
 * transaction, behind the guard). D1 runs one batch at a time, so a condition read by one
 * statement still holds in the next: each write repeats the condition of the one before it (the
 * post is there and visible, the like is absent...) instead of reading it back, and a counter
 * moves in the same batch as its row. A like's or comment's notification is inserted with it,
 * and removed with it (by its `cause`, or by the cascade from the comment).
 */
import { and, eq, exists, ne, notExists, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/sqlite-core";
import type { CommentChanges, PostChanges } from "../social";
import type { Database } from "./client";
import { commentVisible, postVisible, visibleTo } from "./content-sql";
import { comments, likes, notifications, posts } from "./social-schema";

export function createPostStatement(db: Database, me: number, post: { title: string; content: string }, now: number) {
  const at = new Date(now);
  return db.insert(posts).values({ authorId: me, title: post.title, content: post.content, createdAt: at, updatedAt: at }).returning();
}

/** The author's edit: only of the caller's own post (their own post is never hidden from them). */
export function updatePostStatement(db: Database, me: number, id: number, changes: PostChanges, now: number) {
  return db
    .update(posts)
    .set({ ...changes, updatedAt: new Date(now) })
    .where(and(eq(posts.id, id), eq(posts.authorId, me)));
}

/** Deletes the caller's post; comments, likes, feed entries and notifications go with it (foreign keys, ON DELETE CASCADE). */
export function deletePostStatement(db: Database, me: number, id: number) {
  return db.delete(posts).where(and(eq(posts.id, id), eq(posts.authorId, me)));
}

/** The author of post `id` if the caller may see it (what a refused write answers: 404, or 403 for another's). */
export const visiblePostAuthor = (db: Database, me: number, id: number) => db.select({ authorId: posts.authorId }).from(posts).where(postVisible(db, me, id));

/** The author of comment `id` if the caller may see it. */
export const visibleCommentAuthor = (db: Database, me: number, id: number) =>
  db.select({ authorId: comments.authorId }).from(comments).where(and(eq(comments.id, id), commentVisible(db, me)));

/**
 * A comment under post `postId`, if the caller may see it: the counter first, then the row (the
 * same condition), then its notification to the post's author (not for one's own post). The new
 * comment is the newest one (AUTOINCREMENT ids only grow, and the batch runs alone).
 */
export function createCommentStatements(db: Database, me: number, postId: number, content: string, now: number) {
  const shown = postVisible(db, me, postId);
  const at = sql`${now}`;
  const latest = sql`(select max(id) from ${comments})`;
  const post = alias(posts, "commented_post");
  return [
    db.update(posts).set({ commentsCount: sql`${posts.commentsCount} + 1` }).where(shown),
    db
      .insert(comments)
      // Drizzle's insert-select takes every column in table order; a NULL id is assigned by SQLite.
      .select(
        db
          .select({ id: sql`null`.as("id"), postId: posts.id, authorId: sql`${me}`.as("author_id"), content: sql`${content}`.as("content"), createdAt: at.as("created_at"), updatedAt: at.as("updated_at") })
          .from(posts)
          .where(shown),
      )
      .returning(),
    db
      .insert(notifications)
      .select(
        db
          .select({
            id: sql`null`.as("id"),
            recipientId: post.authorId,
            actorId: sql`${me}`.as("actor_id"),
            kind: sql`'comment'`.as("kind"),
            postId: post.id,
            commentId: comments.id,
            cause: sql`'comment:' || ${comments.id}`.as("cause"),
            read: sql`0`.as("read"),
            createdAt: at.as("created_at"),
          })
          .from(comments)
          .innerJoin(post, eq(post.id, comments.postId))
          .where(and(eq(comments.id, latest), eq(comments.authorId, me), eq(comments.postId, postId), ne(post.authorId, me), visibleTo(db, me, post.authorId))),
      )
      .onConflictDoNothing(),
  ] as const;
}

/** The caller's edit of their comment, while they may still see it. */
export function updateCommentStatement(db: Database, me: number, id: number, changes: CommentChanges, now: number) {
  return db
    .update(comments)
    .set({ ...changes, updatedAt: new Date(now) })
    .where(and(eq(comments.id, id), eq(comments.authorId, me), commentVisible(db, me)));
}

/** Deletes the caller's comment (its notification goes by the cascade) and moves its post's counter. */
export function deleteCommentStatements(db: Database, me: number, id: number) {
  const mine = and(eq(comments.id, id), eq(comments.authorId, me), commentVisible(db, me));
  const postOfMine = db.select({ postId: comments.postId }).from(comments).where(mine);
  return [
    db.update(posts).set({ commentsCount: sql`${posts.commentsCount} - 1` }).where(eq(posts.id, postOfMine)),
    db.delete(comments).where(mine),
  ] as const;
}

/** SQL for "the caller likes post `postId`" (likes_pair). */
const likePair = (db: Database, me: number, postId: number) =>
  db.select({ one: sql`1` }).from(likes).where(and(eq(likes.userId, me), eq(likes.postId, postId)));

/** What a like or unlike found before it: the post (visible to the caller) and whether they liked it. */
const likeState = (db: Database, me: number, postId: number) =>
  db.select({ liked: sql<number>`${exists(likePair(db, me, postId))}`.as("liked") }).from(posts).where(postVisible(db, me, postId));

const likesCount = (db: Database, postId: number) => db.select({ likesCount: posts.likesCount }).from(posts).where(eq(posts.id, postId));

/** A like: the counter and the notification only while the like is absent, then the like itself; the count after. */
export function likeStatements(db: Database, me: number, postId: number, now: number) {
  const shown = postVisible(db, me, postId);
  const absent = notExists(likePair(db, me, postId));
  return [
    likeState(db, me, postId),
    db.update(posts).set({ likesCount: sql`${posts.likesCount} + 1` }).where(and(shown, absent)),
    db
      .insert(notifications)
      .select(
        db
          .select({
            id: sql`null`.as("id"),
            recipientId: posts.authorId,
            actorId: sql`${me}`.as("actor_id"),
            kind: sql`'like'`.as("kind"),
            postId: posts.id,
            commentId: sql`null`.as("comment_id"),
            cause: sql`${`like:${me}:${postId}`}`.as("cause"),
            read: sql`0`.as("read"),
            createdAt: sql`${now}`.as("created_at"),
          })
          .from(posts)
          .where(and(shown, absent, ne(posts.authorId, me))),
      )
      .onConflictDoNothing(),
    db
      .insert(likes)
      .select(db.select({ id: sql`null`.as("id"), userId: sql`${me}`.as("user_id"), postId: posts.id, createdAt: sql`${now}`.as("created_at") }).from(posts).where(shown))
      .onConflictDoNothing(),
    likesCount(db, postId),
  ] as const;
}

/** An unlike: the counter and the like's notification only while the like is there, then the like; the count after. */
export function unlikeStatements(db: Database, me: number, postId: number) {
  const shown = exists(db.select({ one: sql`1` }).from(posts).where(postVisible(db, me, postId)));
  const present = exists(likePair(db, me, postId));
  return [
    likeState(db, me, postId),
    db.update(posts).set({ likesCount: sql`${posts.likesCount} - 1` }).where(and(postVisible(db, me, postId), present)),
    db.delete(notifications).where(and(eq(notifications.cause, `like:${me}:${postId}`), shown, present)),
    db.delete(likes).where(and(eq(likes.userId, me), eq(likes.postId, postId), shown)),
    likesCount(db, postId),
  ] as const;
}
