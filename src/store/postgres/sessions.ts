/**
 * SessionStore: refresh, verify, logout. Each is a conditional write and a read of the session's
 * row; where the write found its row in the statement's snapshot but lost it under the row lock
 * to a concurrent write (which then committed), the statement runs again: its new snapshot sees
 * that write, and answers as D1, whose batches run one after the other, would.
 */
import { type SQL, sql } from "drizzle-orm";
import type { RotateOutcome, SessionState, SessionStore } from "../index";
import type { Connection, Database } from "./client";
import { type Raw, moment } from "./mapping";
import { statement } from "./transactions";

/** Runs of a statement that keeps losing races: a bound, not an expectation (a second run suffices). */
const RUNS = 3;

const family = (session: { id: string; userId: number }) => sql`id = ${session.id}::text and user_id = ${session.userId}::bigint`;

/**
 * SQL: `jti` is not the token this session's current one replaced less than `graceMs` ago by this
 * same `client` (a session never rotated has no previous token: coalesce, or NULL hides reuse).
 */
const outsideGrace = (jti: string, client: string, graceMs: number, now: number) =>
  sql`not coalesce(previous_jti = ${jti}::text and rotated_at > ${new Date(now - graceMs)}::timestamptz and rotated_by = ${client}::text, false)`;

/** Where `jti` stood in the session as read (`current_jti`, `revoked_at`), as src/db/token-families.ts `stateOf`. */
function stateOf(row: Raw, jti: string | undefined): SessionState {
  if (row.current_jti === null) return "unknown";
  if (row.revoked_at !== null) return "revoked";
  return row.current_jti === (jti ?? row.current_jti) ? "current" : "not_current";
}

/** The session's row as read, whether `reuse` (SQL) held on it, and the session this statement ended (`ended`, a CTE). */
function readWithEnding(db: Database, session: { id: string; userId: number }, reuse: SQL, ending: SQL) {
  return db.execute<Raw>(sql`
    with f as (select current_jti, revoked_at, expires_at, (${reuse}) as reuse_due from token_families where ${family(session)}),
    ended as (${ending}),
    u as (select is_active from users where id = ${session.userId}::bigint)
    select f.current_jti, f.revoked_at, f.expires_at, f.reuse_due, (select is_active from u) as user_active,
      e.id as ended_id, e.expires_at as ended_expires_at
    from (select 1) as one left join f on true left join ended e on true`);
}

/** The read's row, run again while the read saw the session live and due for `ending` that another request did first. */
async function settled(connection: Connection, read: (db: Database) => Promise<{ rows: Raw[] }>): Promise<Raw> {
  for (let run = 1; ; run += 1) {
    const { rows } = await statement(connection, read);
    const row = rows[0]!;
    const lost = row.current_jti !== null && row.revoked_at === null && row.reuse_due === true && row.ended_id === null;
    if (!lost || run >= RUNS) return row;
  }
}

const endedOf = (row: Raw) => ({ id: row.ended_id as string, expiresAt: moment(row.ended_expires_at) });

export function sessions(connection: Connection): SessionStore {
  return {
    /**
     * One conditional UPDATE, atomic at READ COMMITTED: of concurrent refreshes of one token, the
     * first to lock the row rotates it; the others wait for it, re-check their WHERE on the row it
     * left (no longer `oldJti`) and update nothing. Only then a second statement, which starts
     * after the winner committed, decides between reuse (ending the session), the grace, and the
     * rest, in D1's order (src/db/token-families.ts `rotateFamily`).
     */
    async rotate(session, rotation, graceMs, now) {
      const { oldJti, newJti, newExpiresAt, client } = rotation;
      const at = new Date(now);
      const { rows } = await statement(connection, (db) =>
        db.execute(sql`update token_families set current_jti = ${newJti}::text, expires_at = ${newExpiresAt}::timestamptz, previous_jti = ${oldJti}::text,
            rotated_at = ${at}::timestamptz, rotated_by = ${client}::text, last_used_at = ${at}::timestamptz
          where ${family(session)} and revoked_at is null and current_jti = ${oldJti}::text and expires_at > ${at}::timestamptz
            and exists (select 1 from users u where u.id = ${session.userId}::bigint and u.is_active)
          returning id`),
      );
      if (rows.length > 0) return { kind: "rotated" };
      const reuse = sql`current_jti <> ${oldJti}::text and ${outsideGrace(oldJti, client, graceMs, now)}`;
      const row = await settled(connection, (db) =>
        readWithEnding(db, session, reuse, sql`update token_families set revoked_at = ${at}::timestamptz
          where ${family(session)} and revoked_at is null and ${reuse} returning id, expires_at`),
      );
      return rotateOutcome(row, session.id, now);
    },

    /** One statement (two when a concurrent request ended the session first): the row, the user, and the end of a reused session. */
    async standing(session, refresh, graceMs, now) {
      const at = new Date(now);
      const reuse = refresh === undefined ? sql`false` : sql`current_jti <> ${refresh.jti}::text and ${outsideGrace(refresh.jti, refresh.client, graceMs, now)}`;
      const row = await settled(connection, (db) =>
        readWithEnding(db, session, reuse, sql`update token_families set revoked_at = ${at}::timestamptz
          where ${family(session)} and revoked_at is null and ${reuse} returning id, expires_at`),
      );
      let state = stateOf(row, refresh?.jti);
      if (state === "current" && moment(row.expires_at).getTime() <= now) state = "unknown";
      return { state, userActive: row.user_active === true, ...(row.ended_id === null ? {} : { ended: endedOf(row) }) };
    },

    /** One statement (two when a concurrent logout ended the session first): where `jti` stood, and the end. */
    async end(session, jti, now) {
      const at = new Date(now);
      const row = await settled(connection, (db) =>
        readWithEnding(db, session, sql`true`, sql`update token_families set revoked_at = ${at}::timestamptz
          where ${family(session)} and revoked_at is null returning id, expires_at`),
      );
      return { state: stateOf(row, jti), ...(row.ended_id === null ? {} : { ended: endedOf(row) }) };
    },
  };
}

/** The outcome of a refresh that did not rotate, in src/db/token-families.ts `rotateFamily`'s order. */
function rotateOutcome(row: Raw, sessionId: string, now: number): RotateOutcome {
  if (row.ended_id !== null) return { kind: "reused", session: endedOf(row) };
  if (row.user_active !== true) return { kind: "no_active_user" };
  if (row.current_jti === null) return { kind: "unknown" };
  const expiresAt = moment(row.expires_at);
  if (row.revoked_at === null && expiresAt.getTime() > now) return { kind: "within_grace" };
  return { kind: "revoked", session: { id: sessionId, expiresAt } };
}
