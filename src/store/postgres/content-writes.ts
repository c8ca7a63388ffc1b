/**
 * Writes of posts, comments and likes on PostgreSQL: one guarded statement each (data-modifying
 * CTEs), correct at READ COMMITTED:
 * - a like is `INSERT ... ON CONFLICT DO NOTHING RETURNING` on likes_pair: of concurrent likes by
 *   one user the others wait for the first's insert and insert nothing, so only one moves the
 *   counter and notifies; an unlike's DELETE likewise returns the like to one request only;
 * - a counter moves by `count + 1` in an UPDATE that re-reads the newest row (no increment lost),
 *   only for the row this statement inserted or deleted;
 * - a notification is inserted with its like or comment, and deleted with its like (by `cause`) or
 *   comment (the cascade from comment_id); deleting a post cascades to its comments, likes, feed
 *   entries and notifications.
 * A post deleted under a like or comment fails its foreign key: the statement runs again, and its
 * new snapshot finds no post (./transactions.ts, `foreignKeys`).
 */
import { type SQL, sql } from "drizzle-orm";
import type { CallerIdentity } from "../store";
import type { CommentChanges, PostChanges } from "../social";
import type { Connection } from "./client";
import { ALLOWED, CALLER_COLUMNS, CALLER_FROM, guardCtes } from "./guard";
import type { Raw } from "./mapping";
import { commentVisible, visibleTo } from "./content-sql";
import { statement } from "./transactions";

/**
 * Runs one guarded statement: the guard's CTEs, then `ctes`, then `select` (after the caller's
 * columns) from the caller's row, joined to the row `joined` names (`c`), if any.
 */
async function guarded(connection: Connection, identity: CallerIdentity, ctes: SQL, select: SQL, joined?: SQL): Promise<Raw> {
  const join = joined === undefined ? sql`` : sql`left join ${joined} c on true`;
  const { rows } = await statement(
    connection,
    (db) => db.execute<Raw>(sql`with ${guardCtes(identity)}, ${ctes} select ${CALLER_COLUMNS}, ${select} from ${CALLER_FROM} ${join}`),
    { foreignKeys: true },
  );
  return rows[0]!;
}

/** SQL: the CTE `target` (post `id`, if the caller may see it: what a refused write answers, 404 or 403). */
const visiblePost = (me: number, id: number) =>
  sql`target as (select p.id, p.author_id from posts p where p.id = ${id}::bigint and ${visibleTo(me, sql`p.author_id`)})`;

export function contentWrites(connection: Connection, identity: CallerIdentity) {
  const me = identity.id;
  const caller = sql`${me}::bigint`;
  return {
    createPost: (post: { title: string; content: string }, now: number) =>
      guarded(
        connection,
        identity,
        sql`created as (
          insert into posts (author_id, title, content, created_at, updated_at)
          select ${caller}, ${post.title}::text, ${post.content}::text, ${new Date(now)}::timestamptz, ${new Date(now)}::timestamptz
          where ${ALLOWED} returning *
        )`,
        sql`c.*, false as liked`,
        sql`created`,
      ),

    /** The author's edit of their own post (never hidden from them); `target_author` tells 404 from 403. */
    updatePost(id: number, changes: PostChanges, now: number) {
      const set = [
        ...(changes.title === undefined ? [] : [sql`title = ${changes.title}::text`]),
        ...(changes.content === undefined ? [] : [sql`content = ${changes.content}::text`]),
        sql`updated_at = ${new Date(now)}::timestamptz`,
      ];
      return guarded(
        connection,
        identity,
        sql`${visiblePost(me, id)},
          changed as (update posts p set ${sql.join(set, sql`, `)} where p.id = ${id}::bigint and p.author_id = ${caller} and ${ALLOWED} returning p.*)`,
        sql`(select author_id from target) as target_author, c.*,
          exists (select 1 from likes l where l.user_id = ${caller} and l.post_id = c.id) as liked`,
        sql`changed`,
      );
    },

    deletePost: (id: number) =>
      guarded(
        connection,
        identity,
        sql`${visiblePost(me, id)},
          gone as (delete from posts p where p.id = ${id}::bigint and p.author_id = ${caller} and ${ALLOWED} returning p.id)`,
        sql`(select author_id from target) as target_author`,
      ),

    /** A comment under a post the caller may see, the post's counter, and the notification to its author (not for one's own post). */
    createComment: (postId: number, content: string, now: number) =>
      guarded(
        connection,
        identity,
        sql`post as (select p.id, p.author_id from posts p where p.id = ${postId}::bigint and ${visibleTo(me, sql`p.author_id`)} and ${ALLOWED}),
          created as (
            insert into comments (post_id, author_id, content, created_at, updated_at)
            select id, ${caller}, ${content}::text, ${new Date(now)}::timestamptz, ${new Date(now)}::timestamptz from post returning *
          ),
          counted as (update posts set comments_count = comments_count + 1 where id in (select post_id from created)),
          noted as (
            insert into notifications (recipient_id, actor_id, kind, post_id, comment_id, cause, read, created_at)
            select p.author_id, ${caller}, 'comment', p.id, c.id, 'comment:' || c.id, false, ${new Date(now)}::timestamptz
            from created c join post p on p.id = c.post_id where p.author_id <> ${caller}
          )`,
        sql`c.*`,
        sql`created`,
      ),

    updateComment: (id: number, changes: CommentChanges, now: number) =>
      guarded(
        connection,
        identity,
        sql`target as (select c.id, c.author_id from comments c where c.id = ${id}::bigint and ${commentVisible(me)}),
          changed as (
            update comments c set ${changes.content === undefined ? sql`` : sql`content = ${changes.content}::text,`} updated_at = ${new Date(now)}::timestamptz
            where c.id in (select id from target where author_id = ${caller}) and ${ALLOWED} returning c.*
          )`,
        sql`(select author_id from target) as target_author, c.*`,
        sql`changed`,
      ),

    /** Deletes the caller's comment (its notification goes by the cascade) and moves its post's counter. */
    deleteComment: (id: number) =>
      guarded(
        connection,
        identity,
        sql`target as (select c.id, c.author_id from comments c where c.id = ${id}::bigint and ${commentVisible(me)}),
          gone as (delete from comments c where c.id in (select id from target where author_id = ${caller}) and ${ALLOWED} returning c.post_id),
          counted as (update posts set comments_count = comments_count - 1 where id in (select post_id from gone))`,
        sql`(select author_id from target) as target_author`,
      ),

    like: (postId: number, now: number) =>
      guarded(
        connection,
        identity,
        sql`post as (select p.id, p.author_id from posts p where p.id = ${postId}::bigint and ${visibleTo(me, sql`p.author_id`)} and ${ALLOWED}),
          changed as (
            insert into likes (user_id, post_id, created_at) select ${caller}, id, ${new Date(now)}::timestamptz from post
            on conflict (user_id, post_id) do nothing returning post_id
          ),
          counted as (update posts set likes_count = likes_count + 1 where id in (select post_id from changed) returning likes_count),
          noted as (
            insert into notifications (recipient_id, actor_id, kind, post_id, comment_id, cause, read, created_at)
            select p.author_id, ${caller}, 'like', p.id, null, ${`like:${me}:${postId}`}::text, false, ${new Date(now)}::timestamptz
            from post p where exists (select 1 from changed) and p.author_id <> ${caller}
            on conflict (cause) do nothing
          )`,
        likeAnswer(postId),
      ),

    unlike: (postId: number) =>
      guarded(
        connection,
        identity,
        sql`post as (select p.id from posts p where p.id = ${postId}::bigint and ${visibleTo(me, sql`p.author_id`)} and ${ALLOWED}),
          changed as (delete from likes where user_id = ${caller} and post_id in (select id from post) returning post_id),
          counted as (update posts set likes_count = likes_count - 1 where id in (select post_id from changed) returning likes_count),
          unnoted as (delete from notifications where cause = ${`like:${me}:${postId}`}::text and exists (select 1 from changed))`,
        likeAnswer(postId),
      ),
  };
}

/** SQL: whether the post was there, whether the like moved, and the count after it. */
const likeAnswer = (postId: number) =>
  sql`exists (select 1 from post) as visible, exists (select 1 from changed) as changed,
    coalesce((select likes_count from counted), (select likes_count from posts where id = ${postId}::bigint)) as likes_count`;
