/**
 * CallerFollowStore: follow, unfollow and the follow lists, one guarded statement each.
 *
 * A follow or unfollow first locks both users' rows (`pair`, FOR NO KEY UPDATE, in id order),
 * then moves the edge, then the counters. Every write that locks several users' rows takes them
 * in id order before anything else (a deletion too: ./deletion.ts), so no two of them ever wait
 * on each other in a cycle. At READ COMMITTED the edge is `INSERT ... ON CONFLICT DO NOTHING
 * RETURNING`: of two racing follows of one pair the second waits for the first's insert and
 * inserts nothing, so only one moves the counters; an unfollow's DELETE likewise returns the edge
 * to one request only. The counters move by `count + 1` in an UPDATE, which re-reads the newest
 * row, so no increment is lost. A user deleted while the follow waited for its lock is missing
 * from `pair`: a target then is no such user; a caller, and the statement runs again, its new
 * snapshot refusing them as the guard does. A follow of a pull author is inserted `pull`, read
 * from the locked row: a promotion (./feed-work.ts) marking the author meanwhile is seen.
 */
import { type SQL, sql } from "drizzle-orm";
import { CallerRefused } from "../errors";
import type { CallerFollowStore, CallerIdentity, FollowEntry } from "../index";
import type { Connection } from "./client";
import { ALLOWED, CALLER_COLUMNS, CALLER_FROM, callerOf, guardCtes } from "./guard";
import { type Raw, userRow } from "./mapping";
import { statement } from "./transactions";

/** Runs of a follow whose caller keeps vanishing under it: a bound (a second run suffices). */
const RUNS = 3;

/** SQL: the CTE `edge` (the edge inserted or deleted, if this statement did), once `pair` holds both rows. */
function edgeChange(action: "follow" | "unfollow", me: SQL, target: SQL, now: number): SQL {
  const both = sql`(select count(*) from pair) = 2`;
  if (action === "follow") {
    return sql`edge as (
      insert into follows (follower_id, followee_id, created_at, pull)
      select ${me}, t.id, ${new Date(now)}::timestamptz, (select feed_pull from pair where id = t.id) from target t where t.id <> ${me} and ${both}
      on conflict (follower_id, followee_id) do nothing
      returning id
    )`;
  }
  return sql`edge as (delete from follows where follower_id = ${me} and followee_id = ${target} and ${both} returning id)`;
}

export function callerFollows(connection: Connection, identity: CallerIdentity): CallerFollowStore {
  return {
    async change(action, targetId, now) {
      const me = sql`${identity.id}::bigint`;
      const target = sql`${targetId}::bigint`;
      const step = action === "follow" ? sql`1` : sql`-1`;
      for (let run = 1; ; run += 1) {
        const { rows } = await statement(
          connection,
          (db) =>
            db.execute<Raw>(sql`with ${guardCtes(identity)},
              pair as (select id, feed_pull from users where id = any(array[${me}, ${target}]) and ${ALLOWED} order by id for no key update),
              target as (select id, username from users where id = ${target} and id in (select id from pair)),
              ${edgeChange(action, me, target, now)},
              counters as (
                update users set
                  following_count = following_count + (case when id = ${me} then ${step} else 0 end),
                  followers_count = followers_count + (case when id = ${target} then ${step} else 0 end)
                where id in (select id from pair) and exists (select 1 from edge)
              )
              select ${CALLER_COLUMNS}, (select username from target) as target_username,
                ${ALLOWED} and not exists (select 1 from pair where id = ${me}) as caller_vanished
              from ${CALLER_FROM}`),
          { foreignKeys: true },
        );
        const [row] = rows as [Raw];
        if (row.caller_vanished === true) {
          if (run < RUNS) continue;
          throw new CallerRefused("user_not_found");
        }
        const caller = callerOf(row);
        const username = row.target_username as string | null;
        // Placeholder until the relations work of issue 24 (blocks, notifications, the feed's fields).
        return { caller, ...(username === null ? {} : { target: { username, blocked: false, changed: true, feedPull: false, followersCount: 0 } }) };
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
