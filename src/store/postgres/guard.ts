/**
 * The caller guard in PostgreSQL: every statement of a caller's work starts with the CTEs `caller`
 * (their row, and whether the session their token names is live) and `allowed` (one row exactly
 * when they are an active user with that live session), and every write in it is conditioned on
 * `exists (select 1 from allowed)`. So a refused caller's statement writes nothing; the same row
 * tells why, with no round trip more (D1 aborts its batch instead: src/db/caller.ts).
 */
import { type SQL, sql } from "drizzle-orm";
import { CallerRefused } from "../errors";
import type { Caller, CallerIdentity } from "../index";
import { type Raw, userColumns, userRow } from "./mapping";

/**
 * `lock`: the caller's row is locked FOR NO KEY UPDATE as it is read, and their session's row FOR
 * SHARE: both read in their newest versions, after any concurrent change of them has committed
 * (a password change that ended the session is seen), for work that must not interleave with one.
 */
export type RowLock = "for no key update";

/** SQL: the CTEs `caller` and `allowed` (to open a WITH list). */
export function guardCtes(identity: CallerIdentity, lock?: RowLock): SQL {
  return sql`caller as (
      select u.*, exists (
        select 1 from token_families s
        where s.id = ${identity.sessionId}::text and s.user_id = u.id and s.revoked_at is null and s.expires_at > ${new Date()}::timestamptz
        ${lock ? sql`for share` : sql``}
      ) as session_live
      from users u where u.id = ${identity.id}::bigint ${lock ? sql.raw(lock) : sql``}
    ),
    allowed as (select 1 as one from caller where is_active and session_live)`;
}

/** SQL: a caller's work may write. */
export const ALLOWED = sql`exists (select 1 from allowed)`;

/** SQL: the caller's columns (`caller_<column>`, `caller_session_live`), for a statement's select list. */
export const CALLER_COLUMNS = sql`${userColumns("caller", "caller_")}, caller.session_live as caller_session_live`;

/** SQL: a FROM that yields one row with the caller's columns even when there is no such user. */
export const CALLER_FROM = sql`(select 1) as one left join caller on true`;

/** The caller in a row of a guarded statement; `CallerRefused` (why) unless the guard let the work through. */
export function callerOf(row: Raw | undefined): Caller {
  if (!row || row.caller_id === null || row.caller_id === undefined) throw new CallerRefused("user_not_found");
  if (!row.caller_is_active) throw new CallerRefused("user_inactive");
  if (!row.caller_session_live) throw new CallerRefused("session_ended");
  return userRow(row, "caller_");
}
