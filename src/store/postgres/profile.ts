/** ProfileStore: the caller's own row. */
import { type SQL, getTableColumns, sql } from "drizzle-orm";
import type { CallerIdentity, MailAsk, ProfileChanges, ProfileStore, UniqueField } from "../index";
import type { Connection, Database } from "./client";
import { orTaken } from "./errors";
import { ALLOWED, CALLER_COLUMNS, CALLER_FROM, callerOf, guardCtes } from "./guard";
import { lockFirst } from "./locks";
import { mailColumns, mailCtes, mailKeys, mailReservationOf } from "./mail-throttle";
import { type Raw, endedJson, endedSessions, userColumns, userRow } from "./mapping";
import { endLiveSessions } from "./revocations";
import { users } from "./schema";
import { reservationColumns, reservationCtes, reservationOf, ruleKeys } from "./throttle";
import { statement, transaction } from "./transactions";
import { sameEmail, sameUsername } from "./user-match";

const COLUMNS = getTableColumns(users);

/** SQL: the SET list of `changes` (an empty change still writes the row, so it is read back). */
function assignments(changes: ProfileChanges): SQL {
  const set = Object.entries(changes)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => sql`${sql.identifier(COLUMNS[key as keyof ProfileChanges].name)} = ${value}${typeof value === "boolean" ? sql`::boolean` : sql`::text`}`);
  return set.length > 0 ? sql.join(set, sql`, `) : sql`first_name = users.first_name`;
}

/** Runs `work` alone, or in a transaction after locking `keys` when it reserves throttle slots (./throttle.ts). */
function withKeys<T>(connection: Connection, keys: string[], work: (db: Database) => Promise<T>): Promise<T> {
  if (keys.length === 0) return statement(connection, work);
  return transaction(connection, async (db) => {
    await lockFirst(db, keys);
    return work(db);
  });
}

export function profile(connection: Connection, identity: CallerIdentity): ProfileStore {
  const me = sql`${identity.id}::bigint`;
  // A mail about the caller's own account (the old address's notice, `holding` it) reads the row
  // the guard locked, the one the update replaces: a concurrent change that committed after this
  // statement's snapshot is seen by both, as D1's serial batches would see it.
  const accountsOf = (mail: MailAsk) => {
    const account = mail.recipient?.account;
    return account && "id" in account && account.id === identity.id ? sql`caller` : sql`users`;
  };
  return {
    /** One guarded statement; with an email change, a transaction whose first statement locks the password's and the mail's keys. */
    prepare(wanted, emailChange, now) {
      const keys = emailChange ? [...ruleKeys(emailChange.password), ...mailKeys(emailChange.mail)] : [];
      return withKeys(connection, keys, async (db) => {
        const username = wanted.username === undefined ? sql`false` : sql`exists (select 1 from users u where u.id <> ${me} and ${sameUsername("u", wanted.username)})`;
        const email = !wanted.email ? sql`false` : sql`exists (select 1 from users u where u.id <> ${me} and ${sameEmail("u", wanted.email)})`;
        const { rows } = await db.execute<Raw>(sql`with ${guardCtes(identity)}
          ${emailChange ? sql`, ${reservationCtes("password", emailChange.password, now, ALLOWED)}, ${mailCtes("mail", emailChange.mail, now, ALLOWED)}` : sql``}
          select ${CALLER_COLUMNS}, ${username} as username_taken, ${email} as email_taken
            ${emailChange ? sql`, ${reservationColumns("password")}, ${mailColumns("mail")}` : sql``}
          from ${CALLER_FROM}`);
        const [row] = rows as [Raw];
        const caller = callerOf(row);
        const taken = new Set<UniqueField>();
        if (row.username_taken) taken.add("username");
        if (row.email_taken) taken.add("email");
        if (!emailChange) return { caller, taken };
        return { caller, taken, password: reservationOf(row, "password"), mail: mailReservationOf(row, "mail") };
      });
    },

    /**
     * One statement (a transaction locking the mail's keys first when a mail is counted). The
     * guard reads the caller's row FOR NO KEY UPDATE: the newest version, the one the update then
     * replaces, so `caller` is exactly the row before it (its picture, which the service deletes).
     */
    update(changes, effects, now) {
      const { releaseSlots = [], endOtherSessions = false, mail } = effects;
      return orTaken(() =>
        withKeys(connection, mail ? mailKeys(mail) : [], async (db) => {
          const { rows } = await db.execute<Raw>(sql`with ${guardCtes(identity, "for no key update")},
            released as (delete from throttle_events where id = any(${sql.param(releaseSlots)}::bigint[]) and ${ALLOWED}),
            ended as (${endOtherSessions ? endLiveSessions(identity.id, now, { except: identity.sessionId, when: ALLOWED }) : sql`select null::text as id, null::timestamptz as expires_at where false`})
            ${mail ? sql`, ${mailCtes("mail", mail, now, ALLOWED, accountsOf(mail))}` : sql``},
            updated as (update users set ${assignments(changes)} where id = ${me} and ${ALLOWED} returning *)
            select ${CALLER_COLUMNS}, ${userColumns("updated", "new_")}, ${endedJson(sql`ended`)} as ended
              ${mail ? sql`, ${mailColumns("mail")}` : sql``}
            from ${CALLER_FROM} left join updated on true`);
          const [row] = rows as [Raw];
          const caller = callerOf(row);
          const recipient = mail?.recipient?.rule.key;
          const mailGoes = mail !== undefined && mailReservationOf(row, "mail").slots.some((slot) => slot.key === recipient);
          return { caller, user: userRow(row, "new_"), ended: endedSessions(row.ended), mailGoes };
        }),
      );
    },
  };
}
