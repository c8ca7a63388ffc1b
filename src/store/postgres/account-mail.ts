/** The mail a client asks for without signing in: a password reset, a new verification mail (AccountStore). */
import { type SQL, sql } from "drizzle-orm";
import type { AccountStore, MailAsk, MailReservation } from "../index";
import type { Connection } from "./client";
import { lockFirst } from "./locks";
import { mailColumns, mailCtes, mailKeys, mailReservationOf } from "./mail-throttle";
import { type Raw, momentOrNull } from "./mapping";
import { transaction } from "./transactions";
import { isAccount } from "./user-match";

/** A transaction: the mail's keys locked, then its slots reserved and `holder` (SQL on `u`) read, in one statement. */
function reserveMailFor(connection: Connection, ask: MailAsk, holder: SQL, now: number): Promise<{ mail: MailReservation; row: Raw }> {
  return transaction(connection, async (db) => {
    await lockFirst(db, mailKeys(ask));
    const { rows } = await db.execute<Raw>(sql`with ${mailCtes("mail", ask, now)}
      select ${mailColumns("mail")}, u.id, u.username, u.password, u.last_login, u.email
      from (select 1) as one left join users u on ${holder}`);
    const [row] = rows as [Raw];
    return { mail: mailReservationOf(row, "mail"), row };
  });
}

export function accountMail(connection: Connection): Pick<AccountStore, "resetRequest" | "resendRequest"> {
  return {
    async resetRequest(ask, email, now) {
      const { mail, row } = await reserveMailFor(connection, ask, isAccount("u", { holderOf: email }), now);
      if (row.id === null) return { mail };
      const user = { id: row.id as number, username: row.username as string, password: row.password as string, lastLogin: momentOrNull(row.last_login), email: row.email as string };
      return { mail, user };
    },

    async resendRequest(ask, email, now) {
      const { mail, row } = await reserveMailFor(connection, ask, isAccount("u", { holderOf: email, unverified: true }), now);
      if (row.id === null) return { mail };
      return { mail, user: { id: row.id as number, username: row.username as string, email: row.email as string } };
    },
  };
}
