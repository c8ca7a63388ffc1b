/**
 * Data access for throttling. A check and the reservation of a slot are one conditional INSERT,
 * so concurrent attempts cannot all slip under the limit; a login that succeeds gives its slots back.
 */
import { and, count, eq, exists, gt, gte, inArray, lt, min, or, sql } from "drizzle-orm";
import type { Database } from "./client";
import { knownAddresses, throttleEvents, users } from "./schema";
import { KNOWN_ADDRESS_MS, type ThrottleRule } from "../throttle";
import { sameUsername } from "./user-match";

/** SQL: `address` logged into the account named `username` in the last 30 days. */
function knownAddress(db: Database, known: { username: string; address: string }, now: number) {
  return exists(
    db
      .select({ one: sql`1` })
      .from(knownAddresses)
      .innerJoin(users, eq(users.id, knownAddresses.userId))
      .where(and(sameUsername(known.username), eq(knownAddresses.address, known.address), gt(knownAddresses.lastLoginAt, now - KNOWN_ADDRESS_MS))),
  );
}

/** SQL: whether `rule` applies to this attempt. */
const applies = (db: Database, rule: ThrottleRule, now: number) => (rule.unlessKnown ? sql`not ${knownAddress(db, rule.unlessKnown, now)}` : sql`1`);

/** SQL: `rule` does not apply, or its window holds fewer than its limit. */
export const withinWindow = (db: Database, rule: ThrottleRule, now: number) =>
  sql`(not ${applies(db, rule, now)} or (select count(*) from ${throttleEvents} where ${throttleEvents.key} = ${rule.key} and ${throttleEvents.at} > ${now - rule.periodMs}) < ${rule.limit})`;

/** Inserts one event per applying rule if every rule is under its limit; returns the ids inserted (none when throttled). */
export function reserveSlots(db: Database, rules: ThrottleRule[], now: number) {
  const keys = sql.join(rules.map((rule) => sql`(${rule.key}, ${applies(db, rule, now)})`), sql`, `);
  const allUnder = and(...rules.map((rule) => withinWindow(db, rule, now)), sql`column2`);
  // SQLite runs the whole SELECT before inserting (it reads the target table), so every rule is
  // checked against the counts as they were before this request.
  return db
    .insert(throttleEvents)
    .select(
      db
        .select({ id: sql`null`.as("id"), key: sql`column1`.as("key"), at: sql`${now}`.as("at") })
        .from(sql`(values ${keys})`)
        .where(allUnder),
    )
    .returning({ id: throttleEvents.id });
}

/** Per key: attempts inside its window and the oldest of them (when the next slot frees). */
export function windowCounts(db: Database, rules: ThrottleRule[], now: number) {
  return db
    .select({ key: throttleEvents.key, attempts: count(), oldest: min(throttleEvents.at) })
    .from(throttleEvents)
    // No rules, no rows (an empty OR would be no condition at all).
    .where(rules.length === 0 ? sql`0` : or(...rules.map((rule) => and(eq(throttleEvents.key, rule.key), gt(throttleEvents.at, now - rule.periodMs), applies(db, rule, now)))))
    .groupBy(throttleEvents.key);
}

/**
 * Forgets the events under `key` and under every key starting with `prefix` (one index range),
 * provided user `userId`'s password hash is now `hash`: a statement for the batch that sets it,
 * so that only a change that took place clears anything.
 */
export function forgetEventsAfterPassword(db: Database, keys: { key: string; prefix: string }, password: { userId: number; hash: string }) {
  const changed = db.select({ one: sql`1` }).from(users).where(and(eq(users.id, password.userId), eq(users.password, password.hash)));
  return db
    .delete(throttleEvents)
    .where(and(or(eq(throttleEvents.key, keys.key), keyPrefixed(keys.prefix)), exists(changed)));
}

/** SQL: the event's key starts with `prefix` (one index range: every such key sorts before `prefix` with its last character incremented). */
export function keyPrefixed(prefix: string) {
  const end = `${prefix.slice(0, -1)}${String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1)}`;
  return and(gte(throttleEvents.key, prefix), lt(throttleEvents.key, end))!;
}

export function releaseSlots(db: Database, ids: number[]) {
  return db.delete(throttleEvents).where(inArray(throttleEvents.id, ids));
}

/** Removes events older than `maxPeriodMs` (the cron). */
export async function deleteOldThrottleEvents(db: Database, maxPeriodMs: number, now: number): Promise<void> {
  await db.delete(throttleEvents).where(lt(throttleEvents.at, now - maxPeriodMs));
}

/** After a successful login: `address` is known to the account from now on (for 30 days). */
export function rememberAddress(db: Database, userId: number, address: string, now: number) {
  return db
    .insert(knownAddresses)
    .values({ userId, address, lastLoginAt: now })
    .onConflictDoUpdate({ target: [knownAddresses.userId, knownAddresses.address], set: { lastLoginAt: now } });
}

/** Removes addresses not used for 30 days (the cron). */
export async function forgetOldAddresses(db: Database, now: number): Promise<void> {
  await db.delete(knownAddresses).where(lt(knownAddresses.lastLoginAt, now - KNOWN_ADDRESS_MS));
}
