/**
 * Data access for throttling. A check and the reservation of a slot are one conditional INSERT,
 * so concurrent attempts cannot all slip under the limit; a login that succeeds gives its slots back.
 */
import { and, count, eq, gt, inArray, lt, min, or, sql } from "drizzle-orm";
import type { Database } from "./client";
import { throttleEvents } from "./schema";

export interface ThrottleRule {
  key: string;
  limit: number;
  periodMs: number;
}

const withinWindow = (rule: ThrottleRule, now: number) =>
  sql`(select count(*) from ${throttleEvents} where ${throttleEvents.key} = ${rule.key} and ${throttleEvents.at} > ${now - rule.periodMs}) < ${rule.limit}`;

/** Inserts one event per rule if every rule is under its limit; returns the ids inserted (none when throttled). */
export function reserveSlots(db: Database, rules: ThrottleRule[], now: number) {
  const keys = sql.join(rules.map((rule) => sql`(${rule.key})`), sql`, `);
  const allUnder = and(...rules.map((rule) => withinWindow(rule, now)));
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
    .where(or(...rules.map((rule) => and(eq(throttleEvents.key, rule.key), gt(throttleEvents.at, now - rule.periodMs)))))
    .groupBy(throttleEvents.key);
}

export function releaseSlots(db: Database, ids: number[]) {
  return db.delete(throttleEvents).where(inArray(throttleEvents.id, ids));
}

/** Removes events older than `maxPeriodMs` (the cron). */
export async function deleteOldThrottleEvents(db: Database, maxPeriodMs: number): Promise<void> {
  await db.delete(throttleEvents).where(lt(throttleEvents.at, Date.now() - maxPeriodMs));
}
