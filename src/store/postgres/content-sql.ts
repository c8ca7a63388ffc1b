/**
 * The SQL pieces of posts and comments on PostgreSQL: who may see what (blocks), the rows as a
 * viewer sees them, the search condition, and raw rows mapped back to the store's rows.
 */
import { type SQL, sql } from "drizzle-orm";
import type { CommentRow, ListCursor, PostRow } from "../social";
import { type Raw, moment } from "./mapping";

/**
 * SQL: `viewer` shares no block with the user `user` names (either way: two lookups of
 * blocks_pair); true without a viewer (anyone reading without credentials sees all).
 */
export function visibleTo(viewer: number | undefined, user: SQL): SQL {
  if (viewer === undefined) return sql`true`;
  const me = sql`${viewer}::bigint`;
  return sql`(not exists (select 1 from blocks vb where vb.blocker_id = ${me} and vb.blocked_id = ${user})
    and not exists (select 1 from blocks bv where bv.blocker_id = ${user} and bv.blocked_id = ${me}))`;
}

/** SQL: `viewer` may see comment `c` (neither its author nor its post's author shares a block with them). */
export function commentVisible(viewer: number | undefined, c: SQL = sql`c`): SQL {
  if (viewer === undefined) return sql`true`;
  return sql`(${visibleTo(viewer, sql`${c}.author_id`)}
    and exists (select 1 from posts cp where cp.id = ${c}.post_id and ${visibleTo(viewer, sql`cp.author_id`)}))`;
}

/** SQL: the columns of post `p` joined to its author `a`, as `viewer` sees it. */
export function postColumns(viewer: number | undefined): SQL {
  const liked = viewer === undefined ? sql`false` : sql`exists (select 1 from likes l where l.user_id = ${viewer}::bigint and l.post_id = p.id)`;
  return sql`p.id, p.author_id, a.username as author, p.title, p.content, p.created_at, p.updated_at, p.likes_count, p.comments_count, ${liked} as liked`;
}

/** SQL: the columns of comment `c` joined to its author `a`. */
export const COMMENT_COLUMNS = sql`c.id, c.post_id, c.author_id, a.username as author, c.content, c.created_at, c.updated_at`;

/**
 * SQL: every term occurs in `p`'s title or content, case-insensitively and literally: position()
 * has no wildcards (`%`, `_` and `\` are ordinary); lower() folds as the database's locale does.
 * The terms travel as one array parameter, however many there are.
 */
export const matchesEvery = (terms: string[]) =>
  sql`not exists (select 1 from unnest(${sql.param(terms)}::text[]) as term(value)
    where position(lower(term.value) in lower(p.title)) = 0 and position(lower(term.value) in lower(p.content)) = 0)`;

/** The keyset condition on `id` (SQL, `and ...`) and the order of a page. */
export function keyset(id: SQL, cursor: ListCursor | undefined): { after: SQL; order: SQL } {
  const forward = cursor?.forward ?? true;
  const after = cursor === undefined ? sql`` : forward ? sql`and ${id} < ${cursor.id}::bigint` : sql`and ${id} > ${cursor.id}::bigint`;
  return { after, order: forward ? sql`desc` : sql`asc` };
}

/** A raw post row (of `postColumns`; `author` may come from elsewhere) as the store's row. */
export function postRow(row: Raw, author = row.author as string): PostRow {
  return {
    id: row.id as number,
    authorId: row.author_id as number,
    author,
    title: row.title as string,
    content: row.content as string,
    createdAt: moment(row.created_at),
    updatedAt: moment(row.updated_at),
    likesCount: row.likes_count as number,
    commentsCount: row.comments_count as number,
    liked: row.liked === true,
  };
}

/** A raw comment row as the store's row. */
export function commentRow(row: Raw, author = row.author as string): CommentRow {
  return {
    id: row.id as number,
    postId: row.post_id as number,
    authorId: row.author_id as number,
    author,
    content: row.content as string,
    createdAt: moment(row.created_at),
    updatedAt: moment(row.updated_at),
  };
}
