/**
 * A page of the feed on PostgreSQL, one guarded statement: the caller's next `limit + 1` fan-out
 * entries past the cursor, merged with the posts of the caller's pull followees (the partial index
 * follows_pull, each followee's posts a LATERAL index range of at most `limit + 1`) in the id range
 * those entries span, newest first; every candidate checked with index lookups (still followed,
 * not muted, no block either way). src/store/d1/feed-page.ts says why the merge is exact and what
 * it costs: O(page x (1 + pull followees)), whatever the table sizes.
 */
import { type SQL, sql } from "drizzle-orm";
import type { CallerIdentity, CallerFeedStore, ListCursor, PostRow } from "../index";
import type { Connection } from "./client";
import { ALLOWED, CALLER_COLUMNS, CALLER_FROM, callerOf, guardCtes } from "./guard";
import { type Raw, moment } from "./mapping";
import { statement } from "./transactions";

const END = Number.MAX_SAFE_INTEGER;

/** SQL: the caller neither mutes the user in `user` nor shares a block with them (lookups of unique indexes). */
export function unhiddenBy(me: SQL, user: SQL): SQL {
  return sql`not exists (select 1 from mutes m where m.muter_id = ${me} and m.muted_id = ${user})
    and not exists (select 1 from blocks b where b.blocker_id = ${me} and b.blocked_id = ${user})
    and not exists (select 1 from blocks b where b.blocker_id = ${user} and b.blocked_id = ${me})`;
}

/** The statement of one page (exported for the test that reads its plan). */
export function feedPageQuery(identity: CallerIdentity, cursor: ListCursor | undefined, limit: number): SQL {
  const me = sql`${identity.id}::bigint`;
  const n = sql`${limit + 1}::bigint`;
  const forward = cursor?.forward ?? true;
  const at = sql`${cursor?.id ?? END}::bigint`;
  // Forward: ids below the cursor, newest first; backward: above it, oldest first.
  const [past, beyond, order, edge, farthest] = forward
    ? [sql`<`, sql`>=`, sql`desc`, sql`min`, sql`0::bigint`]
    : [sql`>`, sql`<=`, sql`asc`, sql`max`, sql`${END}::bigint`];
  return sql`with ${guardCtes(identity)},
    fanned as materialized (
      select fe.post_id as id from feed_entries fe
      where fe.owner_id = ${me} and fe.post_id ${past} ${at} and ${ALLOWED}
        and exists (select 1 from follows fo where fo.follower_id = ${me} and fo.followee_id = fe.author_id)
        and ${unhiddenBy(me, sql`fe.author_id`)}
      order by fe.post_id ${order} limit ${n}
    ),
    span as (select case when count(*) = ${n} then ${edge}(id) else ${farthest} end as bound from fanned),
    pulled as (
      select q.id from follows pf cross join lateral (
        select p.id from posts p
        where p.author_id = pf.followee_id and p.id ${past} ${at} and p.id ${beyond} (select bound from span)
        order by p.id ${order} limit ${n}
      ) q
      where pf.follower_id = ${me} and pf.pull and ${ALLOWED} and ${unhiddenBy(me, sql`pf.followee_id`)}
    ),
    page as ((select id from fanned union select id from pulled) order by id ${order} limit ${n})
    select ${CALLER_COLUMNS}, x.*
    from ${CALLER_FROM} left join lateral (
      select p.id as post_id, p.author_id, u.username as author, p.title, p.content, p.created_at, p.updated_at,
        p.likes_count, p.comments_count,
        exists (select 1 from likes l where l.user_id = ${me} and l.post_id = p.id) as liked
      from page join posts p on p.id = page.id join users u on u.id = p.author_id
    ) x on true
    order by x.post_id ${order}`;
}

function postRow(row: Raw): PostRow {
  return {
    id: row.post_id as number,
    authorId: row.author_id as number,
    author: row.author as string,
    title: row.title as string,
    content: row.content as string,
    createdAt: moment(row.created_at),
    updatedAt: moment(row.updated_at),
    likesCount: row.likes_count as number,
    commentsCount: row.comments_count as number,
    liked: row.liked === true,
  };
}

export function postgresFeedPage(connection: Connection, identity: CallerIdentity): CallerFeedStore["page"] {
  return async (cursor, limit) => {
    const { rows } = await statement(connection, (db) => db.execute<Raw>(feedPageQuery(identity, cursor, limit)));
    const caller = callerOf(rows[0]);
    const entries = rows.filter((row) => row.post_id !== null).map((row) => ({ position: row.post_id as number, row: postRow(row) }));
    return { caller, entries };
  };
}
