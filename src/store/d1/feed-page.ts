/**
 * A page of the feed on D1, as one statement for the caller's batch: the caller's next `limit + 1`
 * fan-out entries past the cursor, merged with the posts of the caller's pull followees (the
 * partial index follows_pull) in the id range those entries span, newest first. Every candidate
 * is checked with index lookups: the caller still follows its author (follows_pair), does not
 * mute them (mutes_pair) and shares no block with them (blocks_pair, both ways). So an unfollow,
 * a mute or a block shows at once, before the queue's purge has removed the entries.
 *
 * Why the merge is exact: when the fan-out part holds `limit + 1` entries, every post of the page
 * lies between the last of them and the cursor, so pull posts outside that range cannot be on it;
 * when it holds fewer, the range runs to the end of the feed. Each pull followee contributes at
 * most `limit + 1` posts (no page holds more of one author): SQLite has no LATERAL, so their range
 * is clamped at their (limit + 1)-th post inside the span, found by an index walk of at most
 * `limit + 1` entries. Cost: O(page x (1 + pull followees)) rows, whatever the sizes of posts,
 * follows and feed_entries (test/feed.test.ts "the cost of a feed page"). An author promoted to
 * pull keeps their old fan-out entries: UNION drops the duplicates.
 */
import { type SQL, sql } from "drizzle-orm";
import type { ListCursor, PostRow } from "../social";
import type { Database } from "./client";
import { rawRows } from "./raw-statement";

/** Beyond every id: the cursor of a first page. */
const END = Number.MAX_SAFE_INTEGER;

/** The page's row as the statement answers it. */
interface FeedRow {
  id: number;
  author_id: number;
  author: string;
  title: string;
  content: string;
  created_at: number;
  updated_at: number;
  likes_count: number;
  comments_count: number;
  liked: number;
}

/** SQL: `callerId` neither mutes the user in `user` nor shares a block with them (three lookups of unique indexes). */
export function unhiddenBy(callerId: number, user: SQL): SQL {
  return sql`not exists (select 1 from mutes m where m.muter_id = ${callerId} and m.muted_id = ${user})
    and not exists (select 1 from blocks b where b.blocker_id = ${callerId} and b.blocked_id = ${user})
    and not exists (select 1 from blocks b where b.blocker_id = ${user} and b.blocked_id = ${callerId})`;
}

/** The statement of one page: `limit + 1` rows in the cursor's direction (newest first going forward). */
export function feedPageStatement(db: Database, callerId: number, cursor: ListCursor | undefined, limit: number) {
  const n = limit + 1;
  const forward = cursor?.forward ?? true;
  const at = cursor?.id ?? END;
  // Forward: ids below the cursor, newest first; backward: above it, oldest first.
  const [past, order, edge, farthest] = forward ? [sql`<`, sql`desc`, sql`min`, 0] : [sql`>`, sql`asc`, sql`max`, END];
  const beyond = forward ? sql`>=` : sql`<=`;
  return rawRows<FeedRow>(db, sql`with
    fanned as materialized (
      select fe.post_id as id from feed_entries fe
      where fe.owner_id = ${callerId} and fe.post_id ${past} ${at}
        and exists (select 1 from follows fo where fo.follower_id = ${callerId} and fo.followee_id = fe.author_id)
        and ${unhiddenBy(callerId, sql`fe.author_id`)}
      order by fe.post_id ${order} limit ${n}
    ),
    span as materialized (select case when count(*) = ${n} then ${edge}(id) else ${farthest} end as bound from fanned),
    pulled as (
      select p.id from follows pf join posts p on p.author_id = pf.followee_id
      where pf.follower_id = ${callerId} and pf.pull
        and ${unhiddenBy(callerId, sql`pf.followee_id`)}
        and p.id ${past} ${at}
        and p.id ${beyond} coalesce((
          select q.id from posts q
          where q.author_id = pf.followee_id and q.id ${past} ${at} and q.id ${beyond} (select bound from span)
          order by q.id ${order} limit 1 offset ${n - 1}
        ), (select bound from span))
    ),
    page as (select id from fanned union select id from pulled order by id ${order} limit ${n})
    select p.id, p.author_id, u.username as author, p.title, p.content, p.created_at, p.updated_at, p.likes_count, p.comments_count,
      exists (select 1 from likes l where l.user_id = ${callerId} and l.post_id = p.id) as liked
    from page join posts p on p.id = page.id join users u on u.id = p.author_id
    order by p.id ${order}`);
}

/** A statement row as the store's `PostRow`. */
export function feedPostRow(row: FeedRow): PostRow {
  return {
    id: row.id,
    authorId: row.author_id,
    author: row.author,
    title: row.title,
    content: row.content,
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
    likesCount: row.likes_count,
    commentsCount: row.comments_count,
    liked: Boolean(row.liked),
  };
}
