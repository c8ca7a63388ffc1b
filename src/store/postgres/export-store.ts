/**
 * The export's reads on PostgreSQL (`CallerExportStore`): the caller's comments, likes and
 * notifications, whole, each page one guarded statement over a keyset range of an index:
 * comments_author_newest, likes_pair, and at most two ranges of notifications_inbox.
 */
import { type SQL, sql } from "drizzle-orm";
import { type InboxRange, inboxPosition, inboxRanges } from "../inbox";
import type { CallerIdentity } from "../store";
import type { CallerExportStore } from "../social";
import type { Connection } from "./client";
import { COMMENT_COLUMNS, commentRow } from "./content-sql";
import { ALLOWED, CALLER_COLUMNS, CALLER_FROM, callerOf, guardCtes } from "./guard";
import { moment, type Raw } from "./mapping";
import { notificationRow, shownColumns } from "./notifications";
import { statement } from "./transactions";

export function postgresCallerExportStore(connection: Connection, identity: CallerIdentity): CallerExportStore {
  const me = sql`${identity.id}::bigint`;
  /** Runs `rows` (a subquery of the caller's rows, empty for a refused caller) beside the guard's row, in `order`. */
  const page = async (rows: SQL, order: SQL, present: string) => {
    const { rows: raw } = await statement(connection, (db) =>
      db.execute<Raw>(sql`with ${guardCtes(identity)} select ${CALLER_COLUMNS}, r.* from ${CALLER_FROM} left join lateral (${rows}) r on true order by ${order}`),
    );
    return { caller: callerOf(raw[0]), rows: raw.filter((row) => row[present] !== null) };
  };
  const before = (column: SQL, after: number | undefined) => (after === undefined ? sql`` : sql`and ${column} < ${after}::bigint`);
  const range = (range: InboxRange, part: number, limit: number) =>
    sql`(select ${part}::int as part, ${shownColumns(me)} from notifications n join users a on a.id = n.actor_id
      where n.recipient_id = ${me} and n.read = ${range.read ? sql`true` : sql`false`} ${range.after ? before(sql`n.id`, range.after.id) : sql``} and ${ALLOWED}
      order by n.id desc limit ${limit + 1}::bigint)`;

  return {
    async comments(after, limit) {
      const { caller, rows } = await page(
        sql`select ${COMMENT_COLUMNS} from comments c join users a on a.id = c.author_id
          where c.author_id = ${me} ${before(sql`c.id`, after)} and ${ALLOWED} order by c.id desc limit ${limit + 1}::bigint`,
        sql`r.id desc`,
        "id",
      );
      return { caller, entries: rows.map((row) => ({ position: row.id as number, row: commentRow(row) })) };
    },

    async likes(after, limit) {
      const { caller, rows } = await page(
        sql`select l.post_id, l.created_at from likes l where l.user_id = ${me} ${before(sql`l.post_id`, after)} and ${ALLOWED}
          order by l.post_id desc limit ${limit + 1}::bigint`,
        sql`r.post_id desc`,
        "post_id",
      );
      return { caller, entries: rows.map((row) => ({ position: row.post_id as number, row: { postId: row.post_id as number, createdAt: moment(row.created_at) } })) };
    },

    async notifications(after, limit) {
      // Forward from `after`: the older unread ones then every read one, or the older read ones.
      const ranges = inboxRanges(after === undefined ? undefined : { id: after, forward: true });
      const { caller, rows } = await page(sql.join(ranges.map((r, i) => range(r, i, limit)), sql` union all `), sql`r.part, r.notification_id desc`, "notification_id");
      const entries = rows.slice(0, limit + 1).map((row) => ({ position: inboxPosition(row.read === true, row.notification_id as number), row: notificationRow(row) }));
      return { caller, entries };
    },
  };
}
