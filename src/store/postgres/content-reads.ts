/**
 * Reads of posts and comments on PostgreSQL, one statement each: an anonymous reader's, or a
 * caller's behind the guard (./guard.ts). Pages are keyset ranges, newest first, `limit + 1` rows
 * in the cursor's direction, in a LATERAL subquery beside the one row that answers whether the
 * post or user asked for is there: the primary key for every post or comment,
 * posts_author_newest for one author's posts, comments_post_newest for a post's comments.
 */
import { type SQL, sql } from "drizzle-orm";
import type { CallerIdentity } from "../store";
import type { ContentReads, Entry, ListCursor, PostFilter } from "../social";
import type { Connection } from "./client";
import { ALLOWED, CALLER_COLUMNS, CALLER_FROM, callerOf, guardCtes } from "./guard";
import type { Raw } from "./mapping";
import { COMMENT_COLUMNS, commentRow, commentVisible, keyset, matchesEvery, postColumns, postRow, visibleTo } from "./content-sql";
import { statement } from "./transactions";

/** The reads, answering `X` too (the caller, behind the guard). */
export type Reads<X> = { [K in keyof ContentReads]: ContentReads[K] extends (...args: infer A) => Promise<infer R> ? (...args: A) => Promise<X & R> : never };

/** How a read's statement opens and what its first row carries besides the read (`extra`). */
export interface Frame<X> {
  viewer: number | undefined;
  /** `with ...` (or nothing), the select list's first columns, the one-row FROM, and the condition every row needs. */
  open: SQL;
  head: SQL;
  from: SQL;
  allowed: SQL;
  extra(row: Raw | undefined): X;
}

export const anonymousFrame: Frame<object> = { viewer: undefined, open: sql``, head: sql``, from: sql`(select 1) as one`, allowed: sql`true`, extra: () => ({}) };

export function callerFrame(identity: CallerIdentity): Frame<{ caller: ReturnType<typeof callerOf> }> {
  return {
    viewer: identity.id,
    open: sql`with ${guardCtes(identity)}`,
    head: sql`${CALLER_COLUMNS},`,
    from: CALLER_FROM,
    allowed: ALLOWED,
    extra: (row) => ({ caller: callerOf(row) }),
  };
}

/** SQL: the frame's row with `found` (a boolean) and the rows of `rows` (which may be none), in `order`. */
const framed = <X>(frame: Frame<X>, found: SQL, rows: SQL, order: SQL) =>
  sql`${frame.open} select ${frame.head} ${found} as found, r.* from ${frame.from} left join lateral (${rows}) r on true order by r.id ${order}`;

/** Runs a `framed` statement. */
async function read<X>(connection: Connection, frame: Frame<X>, query: SQL) {
  const { rows: raw } = await statement(connection, (db) => db.execute<Raw>(query));
  return { extra: frame.extra(raw[0]), found: raw[0]?.found === true, rows: raw.filter((row) => row.id !== null) };
}

const entries = <T extends { id: number }>(rows: T[]): Entry<T>[] => rows.map((row) => ({ position: row.id, row }));

/** SQL: a page of `/api/posts/` (one author's: posts_author_newest; everyone's: the primary key). Exported for the plan tests. */
export function postsPageQuery<X>(frame: Frame<X>, filter: PostFilter, cursor: ListCursor | undefined, limit: number): SQL {
  const { viewer, allowed } = frame;
  const { after, order } = keyset(sql`p.id`, cursor);
  const { authorId, terms } = filter;
  const author = authorId === undefined ? sql`` : sql`and p.author_id = ${authorId}::bigint`;
  const search = terms?.length ? sql`and ${matchesEvery(terms)}` : sql``;
  // One author: a condition on no row, evaluated once (a hidden author's list reads none of their posts).
  const shown = visibleTo(viewer, authorId === undefined ? sql`p.author_id` : sql`${authorId}::bigint`);
  const found = authorId === undefined ? sql`true` : sql`exists (select 1 from users o where o.id = ${authorId}::bigint)`;
  return framed(
    frame,
    found,
    sql`select ${postColumns(viewer)} from posts p join users a on a.id = p.author_id
      where ${allowed} ${author} ${after} ${search} and ${shown}
      order by p.id ${order} limit ${limit + 1}::bigint`,
    order,
  );
}

/** SQL: a page of a post's comments (comments_post_newest), or of every comment (the primary key). */
export function commentsPageQuery<X>(frame: Frame<X>, postId: number | undefined, cursor: ListCursor | undefined, limit: number): SQL {
  const { viewer, allowed } = frame;
  const { after, order } = keyset(sql`c.id`, cursor);
  const postShown = sql`exists (select 1 from posts p where p.id = ${postId}::bigint and ${visibleTo(viewer, sql`p.author_id`)})`;
  // A post's comments: the post checked once, then each comment's author; every comment: both per row.
  const where =
    postId === undefined ? sql`${commentVisible(viewer)}` : sql`c.post_id = ${postId}::bigint and ${postShown} and ${visibleTo(viewer, sql`c.author_id`)}`;
  return framed(
    frame,
    postId === undefined ? sql`true` : postShown,
    sql`select ${COMMENT_COLUMNS} from comments c join users a on a.id = c.author_id
      where ${allowed} and ${where} ${after}
      order by c.id ${order} limit ${limit + 1}::bigint`,
    order,
  );
}

/** The reads as `frame` sees them. */
export function contentReads<X>(connection: Connection, frame: Frame<X>): Reads<X> {
  const { viewer, allowed } = frame;
  return {
    async postsPage(filter, cursor, limit) {
      const { extra, found, rows } = await read(connection, frame, postsPageQuery(frame, filter, cursor, limit));
      return { ...extra, authorKnown: found, entries: entries(rows.map((row) => postRow(row))) };
    },
    async userPostsPage(userId, cursor, limit) {
      const { extra, found, rows } = await read(connection, frame, postsPageQuery(frame, { authorId: userId }, cursor, limit));
      return { ...extra, userExists: found, entries: entries(rows.map((row) => postRow(row))) };
    },
    async post(id) {
      const { extra, rows } = await read(
        connection,
        frame,
        framed(
          frame,
          sql`true`,
          sql`select ${postColumns(viewer)} from posts p join users a on a.id = p.author_id
            where ${allowed} and p.id = ${id}::bigint and ${visibleTo(viewer, sql`p.author_id`)}`,
          sql``,
        ),
      );
      return { ...extra, post: rows[0] && postRow(rows[0]) };
    },
    async commentsPage(postId, cursor, limit) {
      const { extra, found, rows } = await read(connection, frame, commentsPageQuery(frame, postId, cursor, limit));
      return { ...extra, postVisible: found, entries: entries(rows.map((row) => commentRow(row))) };
    },
    async comment(id) {
      const { extra, rows } = await read(
        connection,
        frame,
        framed(
          frame,
          sql`true`,
          sql`select ${COMMENT_COLUMNS} from comments c join users a on a.id = c.author_id
            where ${allowed} and c.id = ${id}::bigint and ${commentVisible(viewer)}`,
          sql``,
        ),
      );
      return { ...extra, comment: rows[0] && commentRow(rows[0]) };
    },
  };
}
