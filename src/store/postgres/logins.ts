/** LoginStore: password logins. */
import { sql } from "drizzle-orm";
import type { LoginStore } from "../index";
import type { Connection } from "./client";
import { lockFirst } from "./locks";
import type { Raw } from "./mapping";
import { reservationColumns, reservationCtes, reservationOf, ruleKeys } from "./throttle";
import { statement, transaction } from "./transactions";
import { sameUsername } from "./user-match";

/** SQL: `address` known to user `userId` from `now` (nothing when the user is gone). */
export const remember = (userId: number, address: string, now: number) => sql`insert into known_addresses (user_id, address, last_login_at)
  select id, ${address}::text, ${now}::bigint from users where id = ${userId}::bigint
  on conflict (user_id, address) do update set last_login_at = excluded.last_login_at`;

export function logins(connection: Connection): LoginStore {
  return {
    /**
     * A transaction: the rules' keys locked, then one statement reserves the slots, reads the
     * account and starts the session (only for an active account whose slots were reserved).
     * The account is read FOR SHARE: its newest version, after any password change, deactivation
     * or deletion in progress has committed (they lock the row first: ./caller.ts, ./admin.ts,
     * ./deletion.ts), and none of them can start until this login has committed its session,
     * which they then see and end.
     */
    begin({ rules, username, session }, now) {
      return transaction(connection, async (db) => {
        await lockFirst(db, ruleKeys(rules));
        const { rows } = await db.execute<Raw>(sql`
          with account as (select id, password, is_active, email_verified, mfa_enabled from users u where ${sameUsername("u", username)} for share),
          ${reservationCtes("slot", rules, now)},
          started as (
            insert into token_families (id, user_id, current_jti, created_at, expires_at, last_used_at, user_agent)
            select ${session.id}::text, a.id, ${session.jti}::text, ${new Date(now)}::timestamptz, ${session.expiresAt}::timestamptz,
              ${new Date(now)}::timestamptz, ${session.userAgent}::text
            from account a where a.is_active and not a.mfa_enabled and exists (select 1 from slot_slots)
            returning id
          )
          select ${reservationColumns("slot")}, a.id, a.password, a.is_active, a.email_verified, a.mfa_enabled, exists (select 1 from started) as started
          from (select 1) as one left join account a on true`);
        const [row] = rows as [Raw];
        const account =
          row.id === null
            ? undefined
            : {
                id: row.id as number,
                password: row.password as string,
                isActive: row.is_active as boolean,
                emailVerified: row.email_verified as boolean,
                mfaEnabled: row.mfa_enabled as boolean,
              };
        return { reservation: reservationOf(row, "slot"), account, started: row.started === true };
      });
    },

    /** Keys compare as text in the database's collation: a prefix is matched as a prefix (as ./accounts.ts forgets them after a reset). */
    async recentFailures(prefix, since) {
      const { rows } = await statement(connection, (db) =>
        db.execute<Raw>(sql`select count(*) as n from throttle_events
          where left(key, char_length(${prefix}::text)) = ${prefix}::text and at > ${since}::bigint`),
      );
      return Number(rows[0]?.n ?? 0);
    },

    async discard(sessionId) {
      await statement(connection, (db) => db.execute(sql`delete from token_families where id = ${sessionId}::text`));
    },

    async rememberAddress(userId, address, now) {
      await statement(connection, (db) => db.execute(remember(userId, address, now)), { foreignKeys: true });
    },
  };
}
