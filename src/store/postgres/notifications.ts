/**
 * The caller's notifications on PostgreSQL, one guarded statement each. A page reads at most two
 * ranges of notifications_inbox (recipient_id, read, id), each through a bounded window, leaving
 * out the rows of actors the caller mutes or shares a block with (src/store/inbox.ts).
 */
import { type SQL, sql } from "drizzle-orm";
import { type InboxRange, inboxPage, inboxPosition, inboxRanges, inboxWindow } from "../inbox";
import type { CallerIdentity, CallerNotificationStore, NotificationKind, NotificationRow } from "../index";
import type { Connection } from "./client";
import { blockedBetween } from "./follows";
import { ALLOWED, CALLER_COLUMNS, CALLER_FROM, callerOf, guardCtes } from "./guard";
import { type Raw, moment, userColumns, userRow } from "./mapping";
import { statement } from "./transactions";

/** SQL: what the caller `me` does not see of `actor` (a mute, or a block either way: index lookups). */
const hiddenFrom = (me: SQL, actor: SQL) =>
  sql`(exists (select 1 from mutes m where m.muter_id = ${me} and m.muted_id = ${actor}) or ${blockedBetween(me, actor)})`;

/** SQL: the columns of notification `n` as the list shows it, with its actor `a` (columns `actor_*`). */
export const shownColumns = (me: SQL) =>
  sql`n.id as notification_id, n.kind, n.post_id, n.read, n.created_at, ${userColumns("a", "actor_")},
    exists (select 1 from follows mine where mine.follower_id = ${me} and mine.followee_id = a.id) as actor_followed`;

export function notificationRow(row: Raw): NotificationRow {
  return {
    id: row.notification_id as number,
    actor: userRow(row, "actor_"),
    actorFollowed: row.actor_followed === true,
    kind: row.kind as NotificationKind,
    postId: row.post_id as number | null,
    read: row.read === true,
    createdAt: moment(row.created_at),
  };
}

/** SQL: the CTEs `w<i>` (the range's window: at most `inboxWindow(limit)` rows, hidden or not) and `v<i>` (its visible rows, at most `limit + 1`). */
function rangeCtes(me: SQL, range: InboxRange, i: number, limit: number): SQL {
  const after = range.after ? sql`and id ${sql.raw(range.after.op)} ${range.after.id}::bigint` : sql``;
  const order = range.descending ? sql`desc` : sql`asc`;
  const [w, v] = [sql.raw(`w${i}`), sql.raw(`v${i}`)];
  return sql`${w} as (
      select id, actor_id, kind, post_id, read, created_at from notifications
      where recipient_id = ${me} and read = ${range.read ? sql`true` : sql`false`} ${after} and ${ALLOWED}
      order by id ${order} limit ${inboxWindow(limit)}::bigint
    ),
    ${v} as (
      select ${sql.raw(String(i))} as part, ${shownColumns(me)}
      from ${w} n join users a on a.id = n.actor_id
      where not ${hiddenFrom(me, sql`n.actor_id`)}
      order by n.id ${order} limit ${limit + 1}::bigint
    )`;
}

export function postgresNotifications(connection: Connection, identity: CallerIdentity): CallerNotificationStore {
  const me = sql`${identity.id}::bigint`;
  return {
    async page(cursor, limit) {
      const ranges = inboxRanges(cursor);
      const descending = ranges[0]!.descending;
      const parts = ranges.map((range, i) => rangeCtes(me, range, i, limit));
      const reach = ranges.map((range, i) => {
        const w = sql.raw(`w${i}`);
        return sql`(select count(*) from ${w}) as scanned_${sql.raw(String(i))}, (select ${range.descending ? sql`min` : sql`max`}(id) from ${w}) as reached_${sql.raw(String(i))}`;
      });
      const visible = sql.join(ranges.map((_, i) => sql`select * from ${sql.raw(`v${i}`)}`), sql` union all `);
      const { rows } = await statement(connection, (db) =>
        db.execute<Raw>(sql`with ${guardCtes(identity)}, ${sql.join(parts, sql`, `)}
          select ${CALLER_COLUMNS}, ${sql.join(reach, sql`, `)}, p.*
          from ${CALLER_FROM} left join lateral (${visible}) p on true
          order by p.part, p.notification_id ${descending ? sql`desc` : sql`asc`}`),
      );
      const caller = callerOf(rows[0]);
      const shown = rows.filter((row) => row.notification_id !== null);
      const { entries, frontier } = inboxPage(
        ranges.map((range, i) => {
          const reached = rows[0]![`reached_${i}`] as number | null;
          return {
            entries: shown.filter((row) => row.part === i).map((row) => ({ position: inboxPosition(row.read === true, row.notification_id as number), row: notificationRow(row) })),
            scanned: rows[0]![`scanned_${i}`] as number,
            reached: reached === null ? null : inboxPosition(range.read, reached),
          };
        }),
        limit,
      );
      return { caller, entries, ...(frontier === undefined ? {} : { frontier }) };
    },

    async markRead(id) {
      const { rows } = await statement(connection, (db) =>
        db.execute<Raw>(sql`with ${guardCtes(identity)},
          marked as (
            update notifications set read = true
            where id = ${id}::bigint and recipient_id = ${me} and ${ALLOWED}
            returning id, actor_id, kind, post_id, read, created_at
          )
          select ${CALLER_COLUMNS}, ${shownColumns(me)}
          from ${CALLER_FROM} left join marked n on true left join users a on a.id = n.actor_id`),
      );
      const [row] = rows as [Raw];
      const caller = callerOf(row);
      return { caller, ...(row.notification_id === null ? {} : { notification: notificationRow(row) }) };
    },

    async markAllRead() {
      const { rows } = await statement(connection, (db) =>
        db.execute<Raw>(sql`with ${guardCtes(identity)},
          marked as (update notifications set read = true where recipient_id = ${me} and not read and ${ALLOWED})
          select ${CALLER_COLUMNS} from ${CALLER_FROM}`),
      );
      return { caller: callerOf(rows[0]) };
    },

    async unreadCount() {
      const { rows } = await statement(connection, (db) =>
        db.execute<Raw>(sql`with ${guardCtes(identity)}
          select ${CALLER_COLUMNS}, (
            select count(*) from notifications n
            where n.recipient_id = ${me} and not n.read and ${ALLOWED} and not ${hiddenFrom(me, sql`n.actor_id`)}
          ) as unread
          from ${CALLER_FROM}`),
      );
      return { caller: callerOf(rows[0]), count: rows[0]!.unread as number };
    },
  };
}
