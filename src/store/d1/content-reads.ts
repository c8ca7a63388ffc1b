/**
 * Reads of posts and comments on D1, as statements for one batch (a caller's, behind the guard, or
 * an anonymous reader's). Pages are keyset ranges, newest first, `limit + 1` rows in the cursor's
 * direction: the rowid for every post or comment, posts_author_newest for one author's posts,
 * comments_post_newest for a post's comments. Block checks and the `liked` flag are index lookups
 * per row (blocks_pair, likes_pair).
 */
import { type SQL, and, asc, desc, eq, gt, lt, sql } from "drizzle-orm";
import { type SQLiteColumn, alias } from "drizzle-orm/sqlite-core";
import type { ListCursor, PostFilter } from "../social";
import type { Database } from "./client";
import { anyUser } from "./caller";
import { users } from "./schema";
import { comments, posts } from "./social-schema";
import { commentFields, commentVisible, commentsWithAuthors, matchesEvery, postVisible, postsSeenBy, visibleTo } from "./content-sql";

/** The keyset condition and order of a page over `id`. */
function keyset(id: SQLiteColumn, cursor: ListCursor | undefined): { after?: SQL; order: SQL } {
  const forward = cursor?.forward ?? true;
  const after = cursor === undefined ? undefined : forward ? lt(id, cursor.id) : gt(id, cursor.id);
  return { after, order: forward ? desc(id) : asc(id) };
}

/**
 * `/api/posts/`: with an author, a range of posts_author_newest (that author's posts only);
 * without, of the rowid. Search terms filter the rows the range yields: a search page reads posts
 * until it has found `limit + 1` matches (or the range ends).
 */
export function postsPageStatements(db: Database, viewer: number | undefined, filter: PostFilter, cursor: ListCursor | undefined, limit: number) {
  const { after, order } = keyset(posts.id, cursor);
  const { authorId } = filter;
  const where = and(
    authorId === undefined ? undefined : eq(posts.authorId, authorId),
    after,
    filter.terms?.length ? matchesEvery(filter.terms) : undefined,
    // One author: a condition on no row, which SQLite checks once before the loop (a hidden author's
    // list reads none of their posts); otherwise a check per post.
    visibleTo(db, viewer, authorId === undefined ? posts.authorId : sql`${authorId}`),
  );
  return [
    // Whether the author filter names a user (django-filter's 400 otherwise); a constant without one.
    filter.authorId === undefined ? db.select({ one: sql<number>`1` }).from(sql`(select 1)`) : anyUser(db, filter.authorId),
    postsSeenBy(db, viewer).where(where).orderBy(order).limit(limit + 1),
  ] as const;
}

/** A user's posts (posts_author_newest), and whether the user exists; empty when a block hides them. */
export function userPostsStatements(db: Database, viewer: number | undefined, userId: number, cursor: ListCursor | undefined, limit: number) {
  return postsPageStatements(db, viewer, { authorId: userId }, cursor, limit);
}

/** One post, if `viewer` may see it. */
export const postStatement = (db: Database, viewer: number | undefined, id: number) => postsSeenBy(db, viewer).where(postVisible(db, viewer, id));

/** Whether post `postId` exists and `viewer` may see it (a constant without a post: every comment is listed). */
function postShown(db: Database, viewer: number | undefined, postId: number | undefined) {
  if (postId === undefined) return db.select({ one: sql<number>`1` }).from(sql`(select 1)`);
  return db.select({ one: sql<number>`1` }).from(posts).where(postVisible(db, viewer, postId));
}

/**
 * A post's comments (comments_post_newest), or every comment (the rowid), newest first, less
 * those `viewer` may not see; and whether the post is there for them.
 */
export function commentsPageStatements(db: Database, viewer: number | undefined, postId: number | undefined, cursor: ListCursor | undefined, limit: number) {
  const { after, order } = keyset(comments.id, cursor);
  if (postId === undefined) {
    const rows = commentsWithAuthors(db).where(and(after, commentVisible(db, viewer))).orderBy(order).limit(limit + 1);
    return [postShown(db, viewer, postId), rows] as const;
  }
  // The post first (CROSS JOIN keeps it SQLite's outer loop): one row, whose block check is made
  // once, and none of a hidden post's comments is read; then its comments in index order.
  const thread = alias(posts, "thread");
  const rows = db
    .select(commentFields)
    .from(thread)
    .crossJoin(comments)
    .innerJoin(users, eq(users.id, comments.authorId))
    .where(and(eq(thread.id, postId), visibleTo(db, viewer, thread.authorId), eq(comments.postId, thread.id), after, visibleTo(db, viewer, comments.authorId)))
    .orderBy(order)
    .limit(limit + 1);
  return [postShown(db, viewer, postId), rows] as const;
}

/** One comment, if `viewer` may see it. */
export const commentStatement = (db: Database, viewer: number | undefined, id: number) =>
  commentsWithAuthors(db).where(and(eq(comments.id, id), commentVisible(db, viewer)));
