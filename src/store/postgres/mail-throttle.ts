/**
 * THROTTLE_EMAIL's reservations, as src/db/mail-throttle.ts makes them: one insert counts a mail
 * against whoever asked (every requester rule under its limit, or the request is refused and
 * nothing is counted) and against its recipient (only when the mail goes: its account exists, and
 * it is under its limit or the request comes from an address known to that account, which has
 * verified its address unless the mail is what verifies it). Like every
 * reservation it runs after `lockKeys(mailKeys(ask))`, in the same transaction (./throttle.ts).
 */
import { type SQL, sql } from "drizzle-orm";
import { KNOWN_ADDRESS_MS, type MailAsk, type MailRecipient, type MailReservation } from "../index";
import { type Raw, countsJson, countsOf, slotsJson, slotsOf } from "./mapping";
import { knownTo } from "./throttle";
import { isAccount } from "./user-match";

const REQUESTER = "requester";
const RECIPIENT = "recipient";

/** Every key a mail reservation counts under (the keys to lock). */
export const mailKeys = (ask: MailAsk) => [...ask.requester.map((rule) => rule.key), ...(ask.recipient ? [ask.recipient.rule.key] : [])];

/**
 * SQL: the recipient's mail goes (src/store/d1/mail-throttle.ts `recipientGoes`); `r` is its rules
 * row, `accounts` the relation the account is read from (`users`, or a CTE of a row read locked).
 */
function recipientGoes({ account, from, verification }: MailRecipient, now: number, accounts: SQL): SQL {
  const under = sql`(select count(*) from throttle_events e where e.key = r.key and e.at > r.since) < r.lim`;
  if (!account) return under;
  const accountExists = sql`exists (select 1 from ${accounts} a where ${isAccount("a", account)})`;
  if (from === undefined) return sql`(${accountExists} and ${under})`;
  // Only to an address the account has verified, unless this mail is what verifies it.
  const known = sql`exists (select 1 from known_addresses k join ${accounts} a on a.id = k.user_id
    where ${isAccount("a", account)} ${verification ? sql`` : sql`and a.email_verified`}
      and k.address = ${from}::text and k.last_login_at > ${now - KNOWN_ADDRESS_MS}::bigint)`;
  return sql`(${accountExists} and (${under} or ${known}))`;
}

/**
 * CTEs `<name>_rules`, `<name>_decision`, `<name>_slots` (the slots inserted: no requester key
 * among them is the 429, the recipient's key means "send") and `<name>_counts` (the requester's
 * window counts, this request included). `when` (SQL) conditions the insert (a caller's guard);
 * `accounts` is where the recipient's account is read (a caller's row locked: ./profile.ts).
 */
export function mailCtes(name: string, ask: MailAsk, now: number, when: SQL = sql`true`, accounts: SQL = sql`users`): SQL {
  const [rules, decision, slots, counts] = ["rules", "decision", "slots", "counts"].map((part) => sql.raw(`${name}_${part}`));
  const rows = [
    ...ask.requester.map(
      (rule) =>
        sql`(${rule.key}::text, ${rule.limit}::bigint, ${now - rule.periodMs}::bigint, ${REQUESTER}::text, ${rule.unlessKnown ? sql`not ${knownTo(rule.unlessKnown, now)}` : sql`true`})`,
    ),
    ...(ask.recipient ? [sql`(${ask.recipient.rule.key}::text, ${ask.recipient.rule.limit}::bigint, ${now - ask.recipient.rule.periodMs}::bigint, ${RECIPIENT}::text, true)`] : []),
  ];
  const relation =
    rows.length > 0
      ? sql`select * from (values ${sql.join(rows, sql`, `)}) as v(key, lim, since, kind, applies)`
      : sql`select null::text as key, 0::bigint as lim, 0::bigint as since, null::text as kind, false as applies where false`;
  // As on D1, the requester's limits ignore `unlessKnown` (only its counts honour it).
  const requesterUnder =
    ask.requesterUnchecked || ask.requester.length === 0
      ? sql`true`
      : sql`not exists (select 1 from ${rules} r where r.kind = ${REQUESTER} and not ((select count(*) from throttle_events e where e.key = r.key and e.at > r.since) < r.lim))`;
  const goes = ask.recipient ? sql`coalesce((select ${recipientGoes(ask.recipient, now, accounts)} from ${rules} r where r.kind = ${RECIPIENT}), false)` : sql`false`;
  const requesterCounted = ask.requesterUnchecked ? sql`d.goes` : sql`true`;
  return sql`${rules} as (${relation}),
    ${decision} as (select ${requesterUnder} as ok, ${goes} as goes),
    ${slots} as (
      insert into throttle_events (key, at)
      select r.key, ${now}::bigint from ${rules} r, ${decision} d
      where ${when} and d.ok and ((r.kind = ${REQUESTER} and ${requesterCounted}) or (r.kind = ${RECIPIENT} and d.goes))
      returning id, key, at
    ),
    ${counts} as (
      select w.key, count(*) as attempts, min(w.at) as oldest from (
        select distinct e.id, e.key, e.at from ${rules} r join throttle_events e on e.key = r.key and e.at > r.since
        where r.kind = ${REQUESTER} and r.applies
        union all select s.id, s.key, s.at from ${slots} s where s.key in (select key from ${rules} where kind = ${REQUESTER} and applies)
      ) w group by w.key
    )`;
}

/** SQL: the columns (`<name>_slots`, `<name>_counts`) a statement with `mailCtes(name)` selects. */
export const mailColumns = (name: string) =>
  sql`${slotsJson(sql.raw(`${name}_slots`))} as ${sql.raw(`${name}_slots`)}, ${countsJson(sql.raw(`${name}_counts`))} as ${sql.raw(`${name}_counts`)}`;

export function mailReservationOf(row: Raw, name: string): MailReservation {
  return { slots: slotsOf(row[`${name}_slots`]), counts: countsOf(row[`${name}_counts`]) };
}
