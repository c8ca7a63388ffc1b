/**
 * Blocks, mutes and relationships on PostgreSQL. A block and an unblock are transactions: both
 * users' rows locked first (in id order, as a follow locks them: ./locks.ts), then, in a snapshot
 * taken with them held, the work. A block deletes the follows between them with both counters
 * and their notifications and inserts the block: a follow that got there first has committed and
 * is ended here. Both grow both users' `relations_version` when their block row comes or goes,
 * with the locks held: a follow that waited for those locks finds the row it locked newer than
 * its snapshot's, and runs again to see the change (./follows.ts). Mute and unmute are one
 * statement each (nothing else moves with them).
 */
import { type SQL, sql } from "drizzle-orm";
import type { CallerIdentity, CallerRelationStore, RelationshipRow } from "../index";
import type { Connection, Database } from "./client";
import { followCause } from "./follows";
import { ALLOWED, CALLER_COLUMNS, CALLER_FROM, callerOf, guardCtes } from "./guard";
import { lockUsers } from "./locks";
import { type Raw, userRow } from "./mapping";
import { statement, transaction } from "./transactions";

type RelationField = "following" | "followed_by" | "blocking" | "blocked_by" | "muting";

/** SQL: the relationship columns of the caller `me` with the user `other`, each read, or given (`known`: what this statement's own writes make it). */
function relationshipColumns(me: SQL, other: SQL, known: Partial<Record<RelationField, boolean>> = {}): SQL {
  const read: Record<RelationField, SQL> = {
    following: sql`exists (select 1 from follows f where f.follower_id = ${me} and f.followee_id = ${other})`,
    followed_by: sql`exists (select 1 from follows f where f.follower_id = ${other} and f.followee_id = ${me})`,
    blocking: sql`exists (select 1 from blocks b where b.blocker_id = ${me} and b.blocked_id = ${other})`,
    blocked_by: sql`exists (select 1 from blocks b where b.blocker_id = ${other} and b.blocked_id = ${me})`,
    muting: sql`exists (select 1 from mutes m where m.muter_id = ${me} and m.muted_id = ${other})`,
  };
  const columns = (Object.keys(read) as RelationField[]).map((field) => {
    const value = known[field];
    return sql`${value === undefined ? read[field] : value ? sql`true` : sql`false`} as ${sql.raw(field)}`;
  });
  return sql.join(columns, sql`, `);
}

function relationshipOf(row: Raw, id: number): RelationshipRow {
  return {
    id,
    following: row.following === true,
    followedBy: row.followed_by === true,
    blocking: row.blocking === true,
    blockedBy: row.blocked_by === true,
    muting: row.muting === true,
  };
}

/** SQL: the CTEs of a block's work (after `lockUsers`): `pair`, `target`, and the writes. */
function blockCtes(me: SQL, targetId: number, causes: string[], now: number): SQL {
  const target = sql`${targetId}::bigint`;
  return sql`pair as (select id, feed_pull from users where id = any(array[${me}, ${target}]) and ${ALLOWED} order by id for no key update),
    target as (select id, feed_pull from pair where id = ${target} and id <> ${me}),
    edges as (
      delete from follows
      where ((follower_id = ${me} and followee_id = ${target}) or (follower_id = ${target} and followee_id = ${me})) and exists (select 1 from target)
      returning follower_id, followee_id
    ),
    notes as (delete from notifications where cause = any(${sql.param(causes)}::text[]) and exists (select 1 from target)),
    made as (
      insert into blocks (blocker_id, blocked_id, created_at) select ${me}, id, ${new Date(now)}::timestamptz from target
      on conflict (blocker_id, blocked_id) do nothing
      returning id
    ),
    counters as (
      update users u set
        following_count = u.following_count - (select count(*) from edges e where e.follower_id = u.id),
        followers_count = u.followers_count - (select count(*) from edges e where e.followee_id = u.id),
        relations_version = u.relations_version + (select count(*) from made)
      where u.id in (select id from pair) and (exists (select 1 from edges) or exists (select 1 from made))
    )`;
}

/** SQL: the CTEs of an unblock's work (after `lockUsers`): `target`, the block deleted, and both users' `relations_version` grown with it. */
function unblockCtes(me: SQL, targetId: number): SQL {
  const target = sql`${targetId}::bigint`;
  return sql`target as (select id, feed_pull from users where id = ${target} and id <> ${me} and ${ALLOWED}),
    undone as (delete from blocks where blocker_id = ${me} and blocked_id = (select id from target) returning id),
    versions as (
      update users set relations_version = relations_version + 1
      where id = any(array[${me}, ${target}]) and exists (select 1 from undone)
    )`;
}

/** SQL: the CTEs `target` and the write of mute or unmute. */
function simpleCtes(action: "mute" | "unmute", me: SQL, targetId: number, now: number): SQL {
  const target = sql`target as (select id, feed_pull from users where id = ${targetId}::bigint and id <> ${me} and ${ALLOWED})`;
  if (action === "unmute") return sql`${target}, undone as (delete from mutes where muter_id = ${me} and muted_id = (select id from target))`;
  return sql`${target}, made as (
    insert into mutes (muter_id, muted_id, created_at) select ${me}, id, ${new Date(now)}::timestamptz from target
    on conflict (muter_id, muted_id) do nothing
  )`;
}

const KNOWN_AFTER = {
  block: { following: false, followed_by: false, blocking: true },
  unblock: { blocking: false },
  mute: { muting: true },
  unmute: { muting: false },
} as const;

export function postgresRelations(connection: Connection, identity: CallerIdentity): CallerRelationStore {
  const me = sql`${identity.id}::bigint`;
  return {
    async change(action, targetId, now) {
      const ctes =
        action === "block"
          ? blockCtes(me, targetId, [followCause(identity.id, targetId), followCause(targetId, identity.id)], now)
          : action === "unblock"
            ? unblockCtes(me, targetId)
            : simpleCtes(action, me, targetId, now);
      const work = (db: Database) =>
        db.execute<Raw>(sql`with ${guardCtes(identity)}, ${ctes}
          select ${CALLER_COLUMNS}, t.id as target_id, t.feed_pull as target_feed_pull, ${relationshipColumns(me, sql`t.id`, KNOWN_AFTER[action])}
          from ${CALLER_FROM} left join target t on true`);
      const { rows } =
        action === "block" || action === "unblock"
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
      const caller = callerOf(row);
      if (row.target_id === null) return { caller };
      return { caller, relationship: relationshipOf(row, row.target_id as number), feedPull: row.target_feed_pull === true };
    },

    /** Keyset pages of blocks_blocker_newest / mutes_muter_newest: the cost depends on the page, not the list. */
    async page(kind, cursor, limit) {
      const [table, owner, other] = kind === "blocks" ? [sql`blocks`, sql`r.blocker_id`, sql`r.blocked_id`] : [sql`mutes`, sql`r.muter_id`, sql`r.muted_id`];
      const forward = cursor?.forward ?? true;
      const position = cursor === undefined ? sql`` : forward ? sql`and r.id < ${cursor.id}::bigint` : sql`and r.id > ${cursor.id}::bigint`;
      const order = forward ? sql`desc` : sql`asc`;
      const { rows } = await statement(connection, (db) =>
        db.execute<Raw>(sql`with ${guardCtes(identity)}
          select ${CALLER_COLUMNS}, p.*
          from ${CALLER_FROM} left join lateral (
            select r.id as position, u.*,
              exists (select 1 from follows mine where mine.follower_id = ${me} and mine.followee_id = u.id) as is_following
            from ${table} r join users u on u.id = ${other}
            where ${owner} = ${me} ${position} and ${ALLOWED}
            order by r.id ${order} limit ${limit + 1}::bigint
          ) p on true
          order by p.position ${order}`),
      );
      const caller = callerOf(rows[0]);
      const entries = rows
        .filter((row) => row.position !== null)
        .map((row) => ({ position: row.position as number, row: { user: userRow(row), isFollowing: row.is_following === true } }));
      return { caller, entries };
    },

    async relationships(ids) {
      const { rows } = await statement(connection, (db) =>
        db.execute<Raw>(sql`with ${guardCtes(identity)}
          select ${CALLER_COLUMNS}, r.*
          from ${CALLER_FROM} left join lateral (
            select u.id as target_id, ${relationshipColumns(me, sql`u.id`)}
            from users u where u.id = any(${sql.param(ids)}::bigint[]) and ${ALLOWED}
          ) r on true`),
      );
      const caller = callerOf(rows[0]);
      const known = new Map(rows.filter((row) => row.target_id !== null).map((row) => [row.target_id as number, relationshipOf(row, row.target_id as number)]));
      return { caller, relationships: [...new Set(ids)].flatMap((asked) => known.get(asked) ?? []) };
    },
  };
}
