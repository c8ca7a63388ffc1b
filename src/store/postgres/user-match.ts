/** Case-insensitive matches on the unique user fields, written as their indexes are (`lower(...)`), so they use them. */
import { type SQL, sql } from "drizzle-orm";
import type { MailAccount } from "../index";

/** SQL: user `alias` is named `username`, ignoring case. */
export const sameUsername = (alias: string, username: string): SQL => sql`lower(${sql.raw(alias)}.username) = lower(${username}::text)`;

/** SQL: user `alias` holds `email`, ignoring case (`email <> ''` lets the partial unique index serve). */
export const sameEmail = (alias: string, email: string): SQL =>
  sql`(${sql.raw(alias)}.email <> '' and lower(${sql.raw(alias)}.email) = lower(${email}::text))`;

/** SQL: user `alias` is the account a mail is for (src/store/throttle.ts `MailAccount`). */
export function isAccount(alias: string, account: MailAccount): SQL {
  const a = sql.raw(alias);
  if ("holderOf" in account) {
    const holder = sql`(${sameEmail(alias, account.holderOf)} and ${a}.is_active)`;
    return account.unverified ? sql`(${holder} and not ${a}.email_verified)` : holder;
  }
  const conditions = [sql`${a}.id = ${account.id}::bigint`];
  if (account.holding !== undefined) conditions.push(sameEmail(alias, account.holding));
  if (account.pending !== undefined) conditions.push(sql`lower(${a}.pending_email) = lower(${account.pending}::text)`);
  return sql`(${sql.join(conditions, sql` and `)})`;
}
