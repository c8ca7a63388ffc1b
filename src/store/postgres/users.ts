/** CallerUserStore: users as a caller sees them, one guarded statement each. */
import { sql } from "drizzle-orm";
import type { CallerIdentity, CallerUserStore } from "../index";
import type { Connection } from "./client";
import { ALLOWED, CALLER_COLUMNS, CALLER_FROM, callerOf, guardCtes } from "./guard";
import { type Raw, adminUserRow, userColumns } from "./mapping";
import { socialProvidersOf } from "./sign-in-methods";
import { statement } from "./transactions";

export function callerUsers(connection: Connection, identity: CallerIdentity): CallerUserStore {
  return {
    async seen(id) {
      const { rows } = await statement(connection, (db) =>
        db.execute<Raw>(sql`with ${guardCtes(identity)}
          select ${CALLER_COLUMNS}, ${userColumns("t")}, ${socialProvidersOf(sql`t.id`)} as social_providers,
            exists (select 1 from follows mine where mine.follower_id = ${identity.id}::bigint and mine.followee_id = t.id) as is_following
          from ${CALLER_FROM} left join users t on t.id = ${id}::bigint and ${ALLOWED}`),
      );
      const [row] = rows;
      const caller = callerOf(row);
      return { caller, ...(row!.id === null ? {} : { user: adminUserRow(row!) }), isFollowing: row!.is_following === true };
    },

    /**
     * Gated on the caller being staff: for anyone else the count is never computed (a scalar
     * subquery in a CASE branch not taken) and the page's scan never starts (a one-time filter).
     * The search matches literally: `position` has no wildcards, so `%`, `_` and `\` are ordinary.
     */
    async page(search, offset, limit) {
      // PostgreSQL's text holds no NUL: a search with one matches nothing (and could not be sent).
      const matches = !search
        ? sql`true`
        : search.includes("\u0000")
          ? sql`false`
          : sql`(position(lower(${search}::text) in lower(u.username)) > 0 or position(lower(${search}::text) in lower(u.email)) > 0)`;
      const { rows } = await statement(connection, (db) =>
        db.execute<Raw>(sql`with ${guardCtes(identity)},
          staff as (select 1 from caller where is_staff and ${ALLOWED})
          select ${CALLER_COLUMNS},
            case when exists (select 1 from staff) then (select count(*) from users u where ${matches}) else 0 end as total,
            p.*, ${socialProvidersOf(sql`p.id`)} as social_providers
          from ${CALLER_FROM} left join lateral (
            select u.* from users u where exists (select 1 from staff) and ${matches} order by u.id limit ${limit}::bigint offset ${offset}::bigint
          ) p on true
          order by p.id`),
      );
      const caller = callerOf(rows[0]);
      return { caller, count: rows[0]!.total as number, rows: rows.filter((row) => row.id !== null).map((row) => adminUserRow(row)) };
    },
  };
}
