/** AccountStore: registration, password reset and email verification. */
import { sql } from "drizzle-orm";
import type { AccountStore, ActiveUser } from "../index";
import { accountMail } from "./account-mail";
import type { Connection } from "./client";
import { orTaken } from "./errors";
import { lockFirst } from "./locks";
import { mailColumns, mailCtes, mailKeys, mailReservationOf } from "./mail-throttle";
import { type Raw, endedJson, endedSessions, momentOrNull } from "./mapping";
import { registration } from "./registration";
import { endLiveSessions } from "./revocations";
import { statement, transaction } from "./transactions";

export function accounts(connection: Connection): AccountStore {
  return {
    ...registration(connection),
    ...accountMail(connection),

    async activeUser(id) {
      const { rows } = await statement(connection, (db) =>
        db.execute<Raw>(sql`select id, username, password, last_login, email, pending_email, first_name, last_name
          from users where id = ${id}::bigint and is_active`),
      );
      const [row] = rows;
      if (!row) return undefined;
      const user: ActiveUser = {
        id: row.id as number,
        username: row.username as string,
        password: row.password as string,
        lastLogin: momentOrNull(row.last_login),
        email: row.email as string,
        pendingEmail: row.pending_email as string | null,
        firstName: row.first_name as string,
        lastName: row.last_name as string,
      };
      return user;
    },

    /**
     * A transaction: the user's row locked first, so a login that read the old hash has committed
     * its session before this statement's snapshot (and it ends here), or reads the new hash after
     * (./logins.ts reads the account FOR SHARE). Then, in one statement, the hash (only over the
     * one checked), every live session ended (as on D1, whether or not the hash changed), and the
     * username's failed logins forgotten only if it changed.
     */
    resetPassword(id, hashes, failures) {
      const now = Date.now();
      return transaction(connection, async (db) => {
        await lockFirst(db, [], id);
        const { rows } = await db.execute<Raw>(sql`
          with changed as (
            update users set password = ${hashes.next}::text, email_verified = true
            where id = ${id}::bigint and password = ${hashes.expected}::text and is_active returning id
          ),
          ended as (${endLiveSessions(id, now)}),
          forgotten as (
            -- Keys compare as text in the database's collation: a prefix is matched as a prefix, not as a range.
            delete from throttle_events
            where (key = ${failures.key}::text or left(key, char_length(${failures.prefix}::text)) = ${failures.prefix}::text)
              and exists (select 1 from changed)
          )
          select exists (select 1 from changed) as changed, ${endedJson(sql`ended`)} as ended`);
        const [row] = rows as [Raw];
        return { changed: row.changed === true, ended: endedSessions(row.ended) };
      });
    },

    async markEmailVerified(id, email) {
      const { rows } = await statement(connection, (db) =>
        db.execute(sql`update users set email_verified = true where id = ${id}::bigint and lower(email) = lower(${email}::text) returning id`),
      );
      return rows.length > 0;
    },

    /**
     * A transaction: the notice's throttle keys and the user's row locked, so racing confirmations
     * run one after the other and the second sees the address no longer pending (it ends nothing,
     * counts nothing). Then one statement, every part conditioned on `pending` still pending.
     */
    confirmPendingEmail(change, now) {
      const { id, pending, keepSession, notice } = change;
      return orTaken(() =>
        transaction(connection, async (db) => {
          await lockFirst(db, notice ? mailKeys(notice) : [], id);
          const still = sql`exists (select 1 from users p where p.id = ${id}::bigint and lower(p.pending_email) = lower(${pending}::text))`;
          const { rows } = await db.execute<Raw>(sql`
            with ended as (${endLiveSessions(id, now, { except: keepSession, when: still })})
            ${notice ? sql`, ${mailCtes("notice", notice, now, still)}` : sql``},
            confirmed as (
              update users set email = ${pending}::text, pending_email = null, email_verified = true
              where id = ${id}::bigint and lower(pending_email) = lower(${pending}::text) returning id
            )
            select exists (select 1 from confirmed) as confirmed, ${endedJson(sql`ended`)} as ended
              ${notice ? sql`, ${mailColumns("notice")}` : sql``}`);
          const [row] = rows as [Raw];
          const recipient = notice?.recipient?.rule.key;
          const noticeGoes = notice !== undefined && mailReservationOf(row, "notice").slots.some((slot) => slot.key === recipient);
          return { confirmed: row.confirmed === true, ended: endedSessions(row.ended), noticeGoes };
        }),
      );
    },
  };
}
