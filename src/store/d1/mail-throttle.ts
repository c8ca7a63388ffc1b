/**
 * Data access for THROTTLE_EMAIL. One conditional INSERT counts a mail against whoever asked for
 * it and against its recipient, so concurrent requests cannot slip past either limit. The two
 * limits differ: the requester's refuses the request (nothing is counted then); the recipient's
 * only withholds the mail, and not even that for a request from an address known to the account
 * the mail is for, when that account has verified the address (or the mail is what verifies it).
 */
import { type SQL, and, eq, exists, gt, sql } from "drizzle-orm";
import type { Database } from "./client";
import { knownAddresses, throttleEvents, users } from "./schema";
import { KNOWN_ADDRESS_MS, type MailAccount, type MailAsk, type MailRecipient, type ThrottleRule } from "../throttle";
import { windowCounts } from "./throttle";
import { accountCondition } from "./users";


/** Row kinds of the VALUES list the statement inserts from. */
const REQUESTER = "requester";
const RECIPIENT = "recipient";

const under = (rule: ThrottleRule, now: number) =>
  sql`(select count(*) from ${throttleEvents} where ${throttleEvents.key} = ${rule.key} and ${throttleEvents.at} > ${now - rule.periodMs}) < ${rule.limit}`;

/** SQL: the recipient's mail goes (its account exists, and it is under its limit or the requester's address is known to the account). */
function recipientGoes(db: Database, { rule, account: named, from, verification }: MailRecipient, now: number): SQL {
  if (!named) return under(rule, now);
  const account = accountCondition(named);
  const accountExists = exists(db.select({ one: sql`1` }).from(users).where(account));
  if (from === undefined) return and(accountExists, under(rule, now))!;
  const known = exists(
    db
      .select({ one: sql`1` })
      .from(knownAddresses)
      .innerJoin(users, eq(users.id, knownAddresses.userId))
      .where(
        and(
          account,
          // Only to an address the account has verified, unless this mail is what verifies it.
          verification ? undefined : eq(users.emailVerified, true),
          eq(knownAddresses.address, from),
          gt(knownAddresses.lastLoginAt, now - KNOWN_ADDRESS_MS),
        ),
      ),
  );
  return sql`(${accountExists} and (${under(rule, now)} or ${known}))`;
}

/**
 * Inserts the requester's slots (every rule under its limit, or none) and the recipient's slot
 * (only with the requester's, and only when the mail goes). Returns the slots inserted: no
 * requester key among them is the 429, a recipient key means "send".
 */
export function reserveMailSlots(db: Database, ask: MailAsk, now: number) {
  const rows = [
    ...ask.requester.map((rule) => sql`(${rule.key}, ${REQUESTER})`),
    ...(ask.recipient ? [sql`(${ask.recipient.rule.key}, ${RECIPIENT})`] : []),
  ];
  const goes = ask.recipient ? recipientGoes(db, ask.recipient, now) : sql`0`;
  const requesterUnder = ask.requesterUnchecked || ask.requester.length === 0 ? sql`1` : and(...ask.requester.map((rule) => under(rule, now)))!;
  const requesterCounted = ask.requesterUnchecked ? goes : sql`1`;
  // As for reserveSlots: SQLite runs the whole SELECT before inserting, so every condition sees
  // the counts as they were before this request.
  return db
    .insert(throttleEvents)
    .select(
      db
        .select({ id: sql`null`.as("id"), key: sql`column1`.as("key"), at: sql`${now}`.as("at") })
        .from(sql`(values ${sql.join(rows, sql`, `)})`)
        .where(and(requesterUnder, sql`(column2 = ${REQUESTER} and ${requesterCounted} or column2 = ${RECIPIENT} and ${goes})`)),
    )
    .returning({ id: throttleEvents.id, key: throttleEvents.key });
}

/** Counts one mail to a recipient that nothing may withhold (a registration's own verification mail). */
export function countMail(db: Database, recipient: ThrottleRule, now: number) {
  return db.insert(throttleEvents).values({ key: recipient.key, at: now });
}

/** The statements that reserve `ask`'s slots, for a batch: the reservation, and the requester's counts (for a 429). */
export function mailSlotStatements(db: Database, ask: MailAsk, now: number) {
  return [reserveMailSlots(db, ask, now), windowCounts(db, ask.requester, now)] as const;
}
