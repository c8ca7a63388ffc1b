/**
 * The feed's background work on PostgreSQL (the queue consumer's `FeedWorkStore`): each run is one
 * statement doing one bounded chunk (a data-modifying CTE: its window is read once, written, and
 * its size and last key answered), keyset-paged on an index, idempotent, answering the job that
 * continues it. What each job does, and why a purge and a backfill may run in any order: see
 * src/store/d1/feed-work.ts. What READ COMMITTED adds:
 *
 * - promote marks users.feed_pull in a statement of its own, before any chunk. A follow locks
 *   both users' rows (./follows.ts) and reads feed_pull from the locked row, so a follow either
 *   committed before that mark (a later chunk, in a later snapshot, sees it) or waited for it
 *   and is inserted `pull`.
 * - a backfill chunk locks the follow it depends on FOR SHARE: an unfollow racing it waits for
 *   the chunk to commit, and the purge it queues (after its own commit) sees every entry the
 *   chunk wrote.
 * - a post or user deleted while a chunk ran makes its insert a foreign-key violation: the
 *   statement runs again, and its new snapshot finds nothing to do.
 */
import { type SQL, sql } from "drizzle-orm";
import type { FeedJob, FeedWorkStore } from "../index";
import type { Connection } from "./client";
import type { Raw } from "./mapping";
import { statement } from "./transactions";

const END = Number.MAX_SAFE_INTEGER;

type Continued = { next?: FeedJob };

export function postgresFeedWorkStore(connection: Connection): FeedWorkStore {
  /** Runs a chunk statement answering `n` (its window's size) and `last` (its last key). */
  const chunked = async (query: SQL, chunk: number, next: (last: number) => FeedJob): Promise<Continued> => {
    const { rows } = await statement(connection, (db) => db.execute<Raw>(query), { foreignKeys: true });
    const { n, last } = rows[0] as { n: number; last: number | null };
    return n >= chunk && last !== null ? { next: next(last) } : {};
  };

  const jobs = {
    fan_out({ postId, after = 0 }: Extract<FeedJob, { kind: "fan_out" }>, chunk: number) {
      const post = sql`${postId}::bigint`;
      return chunked(
        sql`with author as (
            select p.author_id as id from posts p join users a on a.id = p.author_id where p.id = ${post} and not a.feed_pull
          ),
          win as (
            select f.id, f.follower_id from follows f
            where f.followee_id = (select id from author) and f.id > ${after}::bigint order by f.id limit ${chunk}::bigint
          ),
          written as (
            insert into feed_entries (owner_id, post_id, author_id)
            select w.follower_id, ${post}, a.id from win w cross join author a
            where not exists (select 1 from mutes m where m.muter_id = w.follower_id and m.muted_id = a.id)
            on conflict do nothing
          )
          select count(*) as n, max(id) as last from win`,
        chunk,
        (last) => ({ kind: "fan_out", postId, after: last }),
      );
    },

    async promote({ authorId, after }: Extract<FeedJob, { kind: "promote" }>, chunk: number): Promise<Continued> {
      const author = sql`${authorId}::bigint`;
      if (after === undefined) {
        const { rows } = await statement(connection, (db) => db.execute<Raw>(sql`update users set feed_pull = true where id = ${author} returning id`));
        return rows.length > 0 ? { next: { kind: "promote", authorId, after: 0 } } : {};
      }
      return chunked(
        sql`with win as (select f.id from follows f where f.followee_id = ${author} and f.id > ${after}::bigint order by f.id limit ${chunk}::bigint),
          marked as (update follows set pull = true where id in (select id from win) and not pull)
          select count(*) as n, max(id) as last from win`,
        chunk,
        (last) => ({ kind: "promote", authorId, after: last }),
      );
    },

    backfill({ ownerId, authorId, after = END }: Extract<FeedJob, { kind: "backfill" }>, chunk: number) {
      const [owner, author] = [sql`${ownerId}::bigint`, sql`${authorId}::bigint`];
      return chunked(
        sql`with edge as (
            select 1 from follows fo join users au on au.id = fo.followee_id
            where fo.follower_id = ${owner} and fo.followee_id = ${author} and not fo.pull and not au.feed_pull
            for share of fo
          ),
          win as (
            select p.id from posts p
            where p.author_id = ${author} and p.id < ${after}::bigint and exists (select 1 from edge)
              and not exists (select 1 from mutes m where m.muter_id = ${owner} and m.muted_id = ${author})
            order by p.id desc limit ${chunk}::bigint
          ),
          written as (insert into feed_entries (owner_id, post_id, author_id) select ${owner}, id, ${author} from win on conflict do nothing)
          select count(*) as n, min(id) as last from win`,
        chunk,
        (last) => ({ kind: "backfill", ownerId, authorId, after: last }),
      );
    },

    async purge({ ownerId, authorId }: Extract<FeedJob, { kind: "purge" }>, chunk: number): Promise<Continued> {
      const [owner, author] = [sql`${ownerId}::bigint`, sql`${authorId}::bigint`];
      const { rows } = await statement(connection, (db) =>
        db.execute<Raw>(sql`with doomed as (
            select post_id from feed_entries
            where owner_id = ${owner} and author_id = ${author}
              and (not exists (select 1 from follows fo where fo.follower_id = ${owner} and fo.followee_id = ${author})
                or exists (select 1 from mutes m where m.muter_id = ${owner} and m.muted_id = ${author})
                or exists (select 1 from blocks b where b.blocker_id = ${owner} and b.blocked_id = ${author})
                or exists (select 1 from blocks b where b.blocker_id = ${author} and b.blocked_id = ${owner}))
            limit ${chunk}::bigint
          ),
          gone as (delete from feed_entries where owner_id = ${owner} and post_id in (select post_id from doomed) returning 1)
          select count(*) as n from gone`),
      );
      return (rows[0]!.n as number) >= chunk ? { next: { kind: "purge", ownerId, authorId } } : {};
    },
  };

  return {
    run(job, chunk) {
      switch (job.kind) {
        case "fan_out":
          return jobs.fan_out(job, chunk);
        case "promote":
          return jobs.promote(job, chunk);
        case "backfill":
          return jobs.backfill(job, chunk);
        case "purge":
          return jobs.purge(job, chunk);
      }
    },
  };
}
