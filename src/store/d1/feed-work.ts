/**
 * The feed's background work on D1 (the queue consumer's `FeedWorkStore`): each run is one bounded
 * chunk, one batch (a transaction: D1 runs one writer at a time, so a chunk's checks and its
 * writes see the same state), keyset-paged on an index, idempotent (entries are inserted with
 * ON CONFLICT DO NOTHING and deleted by key), and answers the job that continues it.
 *
 * - fan_out: the post's author's followers, `chunk` at a time in follows_followee_newest order;
 *   nothing for a pull author's post or a post since deleted; a follower who mutes the author
 *   gets nothing (the purge of a mute would only have to remove it).
 * - promote: users.feed_pull first (from then on new follows are `pull`, and new posts are not
 *   fanned out), then the author's follows marked `pull`, `chunk` at a time.
 * - backfill: the author's posts into the owner's feed, newest first, while the owner follows the
 *   author (not as a pull author) and does not mute them.
 * - purge: the author's entries out of the owner's feed, only while the owner does not follow the
 *   author, or mutes them, or a block stands: a purge that runs after a re-follow (and its
 *   backfill) removes nothing, so the two may run in any order. A mute's purge (and a muted
 *   follower's missed fan-outs) is undone by the backfill that unmuting a followed author queues.
 */
import { type SQL, sql } from "drizzle-orm";
import type { FeedJob, FeedWorkStore } from "../social";
import type { Database } from "./client";
import { rawRows, rawRun } from "./raw-statement";

const END = Number.MAX_SAFE_INTEGER;

interface Window {
  n: number;
  last: number | null;
}

/** SQL: `owner` follows `author` as a pushed author, and does not mute them (what a backfill needs). */
function fedBy(owner: number, author: number): SQL {
  return sql`exists (
      select 1 from follows fo join users au on au.id = fo.followee_id
      where fo.follower_id = ${owner} and fo.followee_id = ${author} and not fo.pull and not au.feed_pull
    )
    and not exists (select 1 from mutes m where m.muter_id = ${owner} and m.muted_id = ${author})`;
}

/** SQL: the owner's entries of `author` may go (no follow, or a mute, or a block either way). */
function unwanted(owner: number, author: number): SQL {
  return sql`(not exists (select 1 from follows fo where fo.follower_id = ${owner} and fo.followee_id = ${author})
    or exists (select 1 from mutes m where m.muter_id = ${owner} and m.muted_id = ${author})
    or exists (select 1 from blocks b where b.blocker_id = ${owner} and b.blocked_id = ${author})
    or exists (select 1 from blocks b where b.blocker_id = ${author} and b.blocked_id = ${owner}))`;
}

/** Runs a chunk: its window's size and last key, read in the same batch as its write. */
async function chunked(db: Database, window: SQL, write: SQL, key: "max" | "min"): Promise<Window> {
  const [[facts]] = await db.batch([
    rawRows<Window>(db, sql`select count(*) as n, ${key === "max" ? sql`max` : sql`min`}(id) as last from (${window})`),
    rawRun(db, write),
  ]);
  return facts!;
}

/** The next job when a chunk filled its window, none when it was the last. */
const continued = (window: Window, chunk: number, next: (after: number) => FeedJob) =>
  window.n >= chunk && window.last !== null ? { next: next(window.last) } : {};

export function d1FeedWorkStore(db: Database): FeedWorkStore {
  const jobs = {
    async fan_out({ postId, after = 0 }: Extract<FeedJob, { kind: "fan_out" }>, chunk: number) {
      // The post's author while the post exists and its author's posts are pushed.
      const author = sql`(select p.author_id from posts p join users a on a.id = p.author_id where p.id = ${postId} and not a.feed_pull)`;
      const window = sql`select f.id, f.follower_id from follows f where f.followee_id = ${author} and f.id > ${after} order by f.id limit ${chunk}`;
      const result = await chunked(
        db,
        window,
        sql`insert into feed_entries (owner_id, post_id, author_id)
          select w.follower_id, ${postId}, ${author} from (${window}) w
          where not exists (select 1 from mutes m where m.muter_id = w.follower_id and m.muted_id = ${author})
          on conflict do nothing`,
        "max",
      );
      return continued(result, chunk, (last) => ({ kind: "fan_out", postId, after: last }));
    },

    async promote({ authorId, after }: Extract<FeedJob, { kind: "promote" }>, chunk: number) {
      if (after === undefined) {
        const marked = await db.all<{ id: number }>(sql`update users set feed_pull = 1 where id = ${authorId} returning id`);
        return marked.length > 0 ? { next: { kind: "promote", authorId, after: 0 } satisfies FeedJob } : {};
      }
      const window = sql`select f.id from follows f where f.followee_id = ${authorId} and f.id > ${after} order by f.id limit ${chunk}`;
      const result = await chunked(db, window, sql`update follows set pull = 1 where id in (${window}) and not pull`, "max");
      return continued(result, chunk, (last) => ({ kind: "promote", authorId, after: last }));
    },

    async backfill({ ownerId, authorId, after = END }: Extract<FeedJob, { kind: "backfill" }>, chunk: number) {
      const window = sql`select p.id from posts p
        where p.author_id = ${authorId} and p.id < ${after} and ${fedBy(ownerId, authorId)}
        order by p.id desc limit ${chunk}`;
      const result = await chunked(
        db,
        window,
        sql`insert into feed_entries (owner_id, post_id, author_id) select ${ownerId}, w.id, ${authorId} from (${window}) w where true on conflict do nothing`,
        "min",
      );
      return continued(result, chunk, (last) => ({ kind: "backfill", ownerId, authorId, after: last }));
    },

    async purge({ ownerId, authorId }: Extract<FeedJob, { kind: "purge" }>, chunk: number) {
      const gone = await db.run(sql`delete from feed_entries where owner_id = ${ownerId} and post_id in (
        select post_id from feed_entries where owner_id = ${ownerId} and author_id = ${authorId} and ${unwanted(ownerId, authorId)} limit ${chunk}
      )`);
      return gone.meta.changes >= chunk ? { next: { kind: "purge", ownerId, authorId } satisfies FeedJob } : {};
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
