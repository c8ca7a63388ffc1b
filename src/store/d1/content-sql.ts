/**
 * The SQL pieces of posts and comments on D1: who may see what (blocks), the rows as a viewer
 * sees them (the author's name, the viewer's `liked` flag), and the search condition.
 */
import { type SQL, and, eq, exists, notExists, sql } from "drizzle-orm";
import { type SQLiteColumn, alias } from "drizzle-orm/sqlite-core";
import type { PostRow } from "../social";
import type { Database } from "./client";
import { users } from "./schema";
import { blocks, comments, likes, posts } from "./social-schema";

/**
 * SQL for "`viewer` shares no block with the user in `user`" (either way: two lookups of
 * blocks_pair), or nothing to check without a viewer (anyone reading without credentials sees all).
 */
export function visibleTo(db: Database, viewer: number | undefined, user: SQLiteColumn | SQL): SQL | undefined {
  if (viewer === undefined) return undefined;
  const mine = alias(blocks, "viewer_blocks");
  const theirs = alias(blocks, "blocks_viewer");
  return and(
    notExists(db.select({ one: sql`1` }).from(mine).where(and(eq(mine.blockerId, viewer), eq(mine.blockedId, user)))),
    notExists(db.select({ one: sql`1` }).from(theirs).where(and(eq(theirs.blockerId, user), eq(theirs.blockedId, viewer)))),
  );
}

/** SQL for "post `postId` exists and `viewer` may see it" (a condition on the `posts` table in scope). */
export const postVisible = (db: Database, viewer: number | undefined, postId: number) => and(eq(posts.id, postId), visibleTo(db, viewer, posts.authorId))!;

/**
 * SQL for "`viewer` may see the comment in scope": neither its author nor its post's author shares
 * a block with them (a post hidden from them hides its thread).
 */
export function commentVisible(db: Database, viewer: number | undefined): SQL | undefined {
  if (viewer === undefined) return undefined;
  const post = alias(posts, "comment_post");
  return and(
    visibleTo(db, viewer, comments.authorId),
    exists(db.select({ one: sql`1` }).from(post).where(and(eq(post.id, comments.postId), visibleTo(db, viewer, post.authorId)))),
  );
}

/** The columns of a post as `viewer` sees it (from posts joined to its author in users). */
export function postFields(db: Database, viewer: number | undefined) {
  const liked =
    viewer === undefined
      ? sql<number>`0`
      : sql<number>`${exists(db.select({ one: sql`1` }).from(likes).where(and(eq(likes.userId, viewer), eq(likes.postId, posts.id))))}`;
  return {
    id: posts.id,
    authorId: posts.authorId,
    author: users.username,
    title: posts.title,
    content: posts.content,
    createdAt: posts.createdAt,
    updatedAt: posts.updatedAt,
    likesCount: posts.likesCount,
    commentsCount: posts.commentsCount,
    // Aliased: D1 batch rows are mapped by column name.
    liked: liked.as("liked"),
  };
}

/** Posts with their authors, as `viewer` sees them. */
export const postsSeenBy = (db: Database, viewer: number | undefined) => db.select(postFields(db, viewer)).from(posts).innerJoin(users, eq(users.id, posts.authorId));

/** A row of `postsSeenBy` as the store's row. */
export const postRow = (row: Omit<PostRow, "liked"> & { liked: unknown }): PostRow => ({ ...row, liked: Boolean(row.liked) });

/** The columns of a comment (from comments joined to its author in users). */
export const commentFields = {
  id: comments.id,
  postId: comments.postId,
  authorId: comments.authorId,
  author: users.username,
  content: comments.content,
  createdAt: comments.createdAt,
  updatedAt: comments.updatedAt,
};

export const commentsWithAuthors = (db: Database) => db.select(commentFields).from(comments).innerJoin(users, eq(users.id, comments.authorId));

/**
 * SQL for "every term occurs in the title or the content", case-insensitively and literally: the
 * terms travel as one JSON array (any number of them is one bound value; D1 allows 100), and
 * instr() has no wildcards (`%`, `_` and `\` are ordinary) and, unlike LIKE, no pattern-length
 * limit. lower() folds ASCII letters, as Django's icontains does on SQLite.
 */
export function matchesEvery(terms: string[]): SQL {
  return sql`not exists (select 1 from json_each(${JSON.stringify(terms)}) term
    where instr(lower(${posts.title}), lower(term.value)) = 0 and instr(lower(${posts.content}), lower(term.value)) = 0)`;
}
