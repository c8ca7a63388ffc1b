/**
 * Throttle reservations at READ COMMITTED. A statement reads one snapshot, taken before it waits on
 * any lock, so counting and inserting in one statement would let concurrent requests each count
 * the same attempts and overshoot a limit. A reservation is therefore one transaction of two
 * statements: `lockKeys` first takes the row lock of each key in throttle_locks (sorted, so two
 * reservations never wait on each other in a cycle), then a new statement, whose snapshot is
 * taken once the locks are held and so sees every reservation of those keys committed before,
 * counts and inserts (`reservationCtes`, `mailCtes` in ./mail-throttle.ts). Reservations of a key
 * run one after another; a slot given back or an event counted unchecked needs no lock.
 */
import { type SQL, sql } from "drizzle-orm";
import { KNOWN_ADDRESS_MS, type Reservation, type ThrottleRule } from "../index";
import { type Raw, countsJson, countsOf, slotsJson, slotsOf } from "./mapping";
import { sameUsername } from "./user-match";

/** The statement that locks the throttle_locks rows of `keys` (inserted if missing), in one order for everyone. */
export function lockKeys(keys: string[]): SQL {
  const sorted = [...new Set(keys)].sort();
  // ON CONFLICT DO UPDATE locks the existing row (DO NOTHING would not); rows go in array order.
  return sql`insert into throttle_locks (key)
    select t.key from unnest(${sql.param(sorted)}::text[]) with ordinality as t(key, n) order by t.n
    on conflict (key) do update set key = excluded.key`;
}

/** SQL: `address` logged into the account named `username` in the last 30 days. */
export function knownTo(known: { username: string; address: string }, now: number): SQL {
  return sql`exists (select 1 from known_addresses k join users ku on ku.id = k.user_id
    where ${sameUsername("ku", known.username)} and k.address = ${known.address}::text and k.last_login_at > ${now - KNOWN_ADDRESS_MS}::bigint)`;
}

/** SQL: whether `rule` applies to this attempt (an `unlessKnown` rule does not from an address known to the account). */
const applies = (rule: ThrottleRule, now: number) => (rule.unlessKnown ? sql`not ${knownTo(rule.unlessKnown, now)}` : sql`true`);

/** SQL: a relation (key, lim, since, applies) of `rules`. */
function rulesRelation(rules: ThrottleRule[], now: number): SQL {
  if (rules.length === 0) return sql`select null::text as key, 0::bigint as lim, 0::bigint as since, false as applies where false`;
  const rows = rules.map((rule) => sql`(${rule.key}::text, ${rule.limit}::bigint, ${now - rule.periodMs}::bigint, ${applies(rule, now)})`);
  return sql`select * from (values ${sql.join(rows, sql`, `)}) as v(key, lim, since, applies)`;
}

/** SQL: the window of `rules` (a relation with key, since) holds fewer than `lim` attempts of `r.key`. */
export const under = (r: string) =>
  sql`(select count(*) from throttle_events e where e.key = ${sql.raw(r)}.key and e.at > ${sql.raw(r)}.since) < ${sql.raw(r)}.lim`;

/**
 * CTEs `<name>_rules`, `<name>_slots` (one event per applying rule, inserted only if every applying
 * rule is under its limit) and `<name>_counts` (per key: attempts in its window, this request's
 * included, and the oldest), as src/db/throttle.ts's reserveSlots and windowCounts. Run after `lockKeys`;
 * `when` (SQL) conditions the insert (a caller's guard).
 */
export function reservationCtes(name: string, rules: ThrottleRule[], now: number, when: SQL = sql`true`): SQL {
  const [r, slots, counts] = [`${name}_rules`, `${name}_slots`, `${name}_counts`].map((id) => sql.raw(id));
  return sql`${r} as (${rulesRelation(rules, now)}),
    ${slots} as (
      insert into throttle_events (key, at)
      select r.key, ${now}::bigint from ${r} r
      where ${when} and r.applies and not exists (select 1 from ${r} full_rule where full_rule.applies and not ${under("full_rule")})
      returning id, key, at
    ),
    ${counts} as (
      select w.key, count(*) as attempts, min(w.at) as oldest from (
        select distinct e.id, e.key, e.at from ${r} r join throttle_events e on e.key = r.key and e.at > r.since where r.applies
        union all select s.id, s.key, s.at from ${slots} s
      ) w group by w.key
    )`;
}

/** SQL: the columns (`<name>_slots`, `<name>_counts`) a statement with `reservationCtes(name)` selects. */
export const reservationColumns = (name: string) =>
  sql`${slotsJson(sql.raw(`${name}_slots`))} as ${sql.raw(`${name}_slots`)}, ${countsJson(sql.raw(`${name}_counts`))} as ${sql.raw(`${name}_counts`)}`;

/** The reservation in a row selected with `reservationColumns(name)`. */
export function reservationOf(row: Raw, name: string): Reservation {
  return { slots: slotsOf(row[`${name}_slots`]).map((slot) => slot.id), counts: countsOf(row[`${name}_counts`]) };
}

/** The keys a reservation under `rules` locks. */
export const ruleKeys = (rules: ThrottleRule[]) => rules.map((rule) => rule.key);
