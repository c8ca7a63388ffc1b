/** Registration: its throttle slot with the uniqueness check, then the insert (AccountStore's first two methods). */
import { sql } from "drizzle-orm";
import type { AccountStore, UniqueField } from "../index";
import type { Connection } from "./client";
import { orTaken } from "./errors";
import { lockFirst } from "./locks";
import type { Raw } from "./mapping";
import { reservationColumns, reservationCtes, reservationOf, ruleKeys } from "./throttle";
import { statement, transaction } from "./transactions";
import { sameEmail, sameUsername } from "./user-match";

export function registration(connection: Connection): Pick<AccountStore, "checkRegistration" | "register"> {
  return {
    /**
     * A transaction: the registration keys locked, then the slot and the holders of the username
     * and email read in one statement. The holders are only advice (a 400 before any hash): the
     * unique indexes decide, at the insert.
     */
    checkRegistration(wanted, rules, now) {
      return transaction(connection, async (db) => {
        await lockFirst(db, ruleKeys(rules));
        const { rows } = await db.execute<Raw>(sql`with ${reservationCtes("slot", rules, now)}
          select ${reservationColumns("slot")},
            exists (select 1 from users u where ${sameUsername("u", wanted.username)}) as username_taken,
            ${wanted.email === "" ? sql`false` : sql`exists (select 1 from users u where ${sameEmail("u", wanted.email)})`} as email_taken`);
        const [row] = rows as [Raw];
        const taken = new Set<UniqueField>();
        if (row.username_taken) taken.add("username");
        if (row.email_taken) taken.add("email");
        return { reservation: reservationOf(row, "slot"), taken };
      });
    },

    /** One statement: the user, the address it registers from known to it, and its verification mail counted. */
    register(user, extras, now) {
      return orTaken(() =>
        statement(connection, async (db) => {
          const { rows } = await db.execute<Raw>(sql`
            with new_user as (
              insert into users (username, email, password, date_joined, is_staff, is_superuser, email_verified, first_name, last_name)
              values (${user.username}::text, ${user.email}::text, ${user.password}::text, ${user.dateJoined}::timestamptz,
                coalesce(${user.isStaff ?? null}::boolean, false), coalesce(${user.isSuperuser ?? null}::boolean, false),
                coalesce(${user.emailVerified ?? null}::boolean, false), coalesce(${user.firstName ?? null}::text, ''), coalesce(${user.lastName ?? null}::text, ''))
              returning id
            ),
            address as (
              insert into known_addresses (user_id, address, last_login_at) select id, ${extras.address}::text, ${now}::bigint from new_user
            )
            ${extras.mail ? sql`, mail as (insert into throttle_events (key, at) select ${extras.mail.key}::text, ${now}::bigint from new_user)` : sql``}
            select id from new_user`);
          return { id: (rows as [{ id: number }])[0].id };
        }),
      );
    },
  };
}
