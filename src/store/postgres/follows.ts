/**
 * CallerFollowStore: follow, unfollow and the follow lists, one guarded statement each.
 *
 * A follow or unfollow locks both users' rows (`pair`, FOR NO KEY UPDATE, in id order), then
 * moves the edge, its notification and the counters. Every write that locks several users' rows
 * takes them in id order before anything else (a block and a deletion too: ./relations.ts,
 * ./deletion.ts), so no two of them ever wait on each other in a cycle. At READ COMMITTED the
 * edge is `INSERT ... ON CONFLICT DO NOTHING RETURNING`: of two racing follows of one pair the
 * second waits for the first's insert and inserts nothing, so only one moves the counters; an
 * unfollow's DELETE likewise returns the edge to one request only. The counters move by
 * `count + 1` in an UPDATE, which re-reads the newest row, so no increment is lost.
 *
 * A follow is refused while a block stands either way. A statement's snapshot is taken before it
 * waits for a lock, so a follow that waited for a block's locks does not see that block: it
 * would land beside it. But a row lock that meets a row updated by a transaction that committed
 * meanwhile locks and returns the row's newest version (EvalPlanQual), while every other read of
 * the statement, the same rows read without a lock included, is of its snapshot. A block and an
 * unblock hold both users' row locks and grow both rows' `relations_version` (./relations.ts), so
 * `stale` compares the version of each row `pair` locked with the snapshot's. Equal: no block or
 * unblock of either user committed after the snapshot was taken (one that did held the locks
 * before this statement took them, so the locked row is newer), and none can commit before this
 * statement does (it holds the locks now): the snapshot's blocks are the blocks at the commit.
 * Different: the statement writes nothing and answers `stale`, and the follow runs again with the
 * locks taken first, in a transaction (./locks.ts), whose work's snapshot is taken with them held
 * and so cannot be stale: a lost race costs four statements more, the common case one. An
 * unfollow needs no such care (a block only deletes what it would delete). A user deleted while a
 * follow or unfollow waited for its lock is missing from `pair`: a target then is no such user; a
 * caller, and the statement runs again, its new snapshot refusing them as the guard does.
 */
import { type SQL, sql } from "drizzle-orm";
import { CallerRefused } from "../errors";
import type { CallerFollowStore, CallerIdentity, FollowEntry, FollowTarget } from "../index";
import type { Connection, Database } from "./client";
import { lockUsers } from "./locks";
import { ALLOWED, CALLER_COLUMNS, CALLER_FROM, callerOf, guardCtes } from "./guard";
import { type Raw, userRow } from "./mapping";
import { statement, transaction } from "./transactions";

/** Runs of a follow whose caller keeps vanishing under it: a bound (a second run suffices). */
const RUNS = 3;

/** SQL: a block stands between `a` and `b`, either way (blocks_pair, both ways). */
export const blockedBetween = (a: SQL, b: SQL) =>
  sql`exists (select 1 from blocks where (blocker_id = ${a} and blocked_id = ${b}) or (blocker_id = ${b} and blocked_id = ${a}))`;

/** The cause of `actor`'s follow notification to `recipient` (notifications_cause: one at most). */
export const followCause = (actor: number, recipient: number) => `follow:${actor}:${recipient}`;

/**
 * SQL: the CTE `stale`: whether a row `pair` locked differs in `relations_version` from the same
 * row in the statement's snapshot (a block or unblock of that user committed after the snapshot
 * was taken, which the snapshot's `blocked` cannot see). Each row is read by its key.
 */
const STALE = sql`stale as (
  select exists (
    select 1 from pair p where p.relations_version <> (select u.relations_version from users u where u.id = p.id)
  ) as yes
)`;

/**
 * SQL: the CTEs `edge` (the edge inserted or deleted, if this statement did) and `note` (the
 * follow notification, inserted or deleted with it), once `pair` holds both rows and `target` the
 * target's (newest, locked) row. A follow lands only while no block stands (`blocked`) and its
 * snapshot is not `stale`.
 */
function edgeChange(action: "follow" | "unfollow", me: SQL, target: SQL, cause: string, now: number): SQL {
  const both = sql`(select count(*) from pair) = 2`;
  if (action === "follow") {
    return sql`edge as (
      insert into follows (follower_id, followee_id, created_at, pull)
      select ${me}, t.id, ${new Date(now)}::timestamptz, t.feed_pull from target t
      where t.id <> ${me} and ${both} and not (select yes from stale) and not (select yes from blocked)
      on conflict (follower_id, followee_id) do nothing
      returning id
    ),
    note as (
      insert into notifications (recipient_id, actor_id, kind, cause, read, created_at)
      select ${target}, ${me}, 'follow', ${cause}::text, false, ${new Date(now)}::timestamptz from edge
      on conflict (cause) do nothing
    )`;
  }
  return sql`edge as (delete from follows where follower_id = ${me} and followee_id = ${target} and ${both} returning id),
    note as (delete from notifications where cause = ${cause}::text and exists (select 1 from edge))`;
}

export function callerFollows(connection: Connection, identity: CallerIdentity): CallerFollowStore {
  return {
    async change(action, targetId, now) {
      const me = sql`${identity.id}::bigint`;
      const target = sql`${targetId}::bigint`;
      const step = action === "follow" ? sql`1` : sql`-1`;
      const work = (db: Database) =>
        db.execute<Raw>(sql`with ${guardCtes(identity)},
          pair as (
            select id, username, feed_pull, followers_count, relations_version from users
            where id = any(array[${me}, ${target}]) and ${ALLOWED} order by id for no key update
          ),
          ${action === "follow" ? STALE : sql`stale as (select false as yes)`},
          target as (select * from pair where id = ${target}),
          blocked as (select ${blockedBetween(me, target)} as yes),
          ${edgeChange(action, me, target, followCause(identity.id, targetId), now)},
          counters as (
            update users set
              following_count = following_count + (case when id = ${me} then ${step} else 0 end),
              followers_count = followers_count + (case when id = ${target} then ${step} else 0 end)
            where id in (select id from pair) and exists (select 1 from edge)
            returning id, followers_count
          )
          select ${CALLER_COLUMNS}, t.username as target_username, t.feed_pull as target_feed_pull,
            coalesce((select followers_count from counters where id = ${target}), t.followers_count) as target_followers,
            (select yes from blocked) as blocked, exists (select 1 from edge) as changed, (select yes from stale) as stale,
            ${ALLOWED} and not exists (select 1 from pair where id = ${me}) as caller_vanished
          from ${CALLER_FROM} left join target t on true`);
      // A stale run is run again with the locks taken first: then it cannot be stale, so at most once.
      let lockFirst = false;
      for (let run = 1; ; run += 1) {
        const { rows } = lockFirst
          ? await transaction(
              connection,
              async (db) => {
                await lockUsers(db, [identity.id, targetId]);
                return work(db);
              },
              { foreignKeys: true },
            )
          : await statement(connection, work, { foreignKeys: true });
        const [row] = rows as [Raw];
        if (row.stale === true) {
          lockFirst = true;
          continue;
        }
        if (row.caller_vanished === true) {
          if (run < RUNS) continue;
          throw new CallerRefused("user_not_found");
        }
        const caller = callerOf(row);
        if (row.target_username === null) return { caller };
        const found: FollowTarget = {
          username: row.target_username as string,
          blocked: row.blocked === true,
          changed: row.changed === true,
          feedPull: row.target_feed_pull === true,
          followersCount: row.target_followers as number,
        };
        return { caller, target: found };
      }
    },

    /** Keyset pages of follows_followee_newest / follows_follower_newest: the cost depends on the page, not the list. */
    async page(ownerId, direction, cursor, limit) {
      // followers of X: rows whose followee is X, listing their followers; following: the reverse.
      const [owner, other] = direction === "followers" ? [sql`f.followee_id`, sql`f.follower_id`] : [sql`f.follower_id`, sql`f.followee_id`];
      const forward = cursor?.forward ?? true;
      const position = cursor === undefined ? sql`` : forward ? sql`and f.id < ${cursor.id}::bigint` : sql`and f.id > ${cursor.id}::bigint`;
      const order = forward ? sql`desc` : sql`asc`;
      const { rows } = await statement(connection, (db) =>
        db.execute<Raw>(sql`with ${guardCtes(identity)}
          select ${CALLER_COLUMNS}, exists (select 1 from users o where o.id = ${ownerId}::bigint) as owner_exists, p.*
          from ${CALLER_FROM} left join lateral (
            select f.id as position, u.*,
              exists (select 1 from follows mine where mine.follower_id = ${identity.id}::bigint and mine.followee_id = u.id) as is_following
            from follows f join users u on u.id = ${other}
            where ${owner} = ${ownerId}::bigint ${position} and ${ALLOWED}
            order by f.id ${order} limit ${limit + 1}::bigint
          ) p on true
          order by p.position ${order}`),
      );
      const caller = callerOf(rows[0]);
      const entries: FollowEntry[] = rows
        .filter((row) => row.position !== null)
        .map((row) => ({ position: row.position as number, user: userRow(row), isFollowing: row.is_following === true }));
      return { caller, ownerExists: rows[0]!.owner_exists === true, entries };
    },
  };
}
