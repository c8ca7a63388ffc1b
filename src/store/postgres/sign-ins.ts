/** SignInStore on PostgreSQL: a session or a two-factor challenge in one statement, and a sign-in's bookkeeping. */
import { type SQL, sql } from "drizzle-orm";
import type { SignInStore } from "../index";
import type { Connection } from "./client";
import { remember } from "./logins";
import type { Raw } from "./mapping";
import { statement } from "./transactions";

/** SQL: the insert of a new session for the user row of relation `u` (columns id), from `now`. */
export function startSessionFrom(u: SQL, session: { id: string; jti: string; expiresAt: Date; userAgent: string | null }, now: number, where: SQL): SQL {
  return sql`insert into token_families (id, user_id, current_jti, created_at, expires_at, last_used_at, user_agent)
    select ${session.id}::text, u.id, ${session.jti}::text, ${new Date(now)}::timestamptz, ${session.expiresAt}::timestamptz,
      ${new Date(now)}::timestamptz, ${session.userAgent}::text
    from ${u} u where ${where}
    returning id`;
}

export function signIns(connection: Connection): SignInStore {
  return {
    /**
     * One statement: the user is read FOR SHARE (its newest version: a deactivation, deletion or
     * two-factor change in progress commits first, and none can start until this has committed,
     * as for a password login: ./logins.ts), then at most one of the two inserts runs.
     */
    async start(userId, session, challenge, now) {
      const challenged = challenge
        ? sql`insert into mfa_challenges (token_hash, user_id, method, created_at, expires_at)
            select ${challenge.tokenHash}::text, u.id, ${challenge.method}::text, ${new Date(now)}::timestamptz, ${challenge.expiresAt}::timestamptz
            from account u where u.is_active and u.mfa_enabled
            returning token_hash`
        : sql`select null::text as token_hash where false`;
      const { rows } = await statement(
        connection,
        (db) =>
          db.execute<Raw>(sql`
            with account as (select id, is_active, mfa_enabled from users where id = ${userId}::bigint for share),
            started as (${startSessionFrom(sql`account`, session, now, challenge ? sql`u.is_active and not u.mfa_enabled` : sql`u.is_active`)}),
            challenged as (${challenged})
            select exists (select 1 from started) as started, exists (select 1 from challenged) as challenged`),
        { foreignKeys: true },
      );
      const [row] = rows as [Raw];
      if (row.started === true) return "session";
      return row.challenged === true ? "mfa" : "inactive";
    },

    /**
     * One statement. A user deleted meanwhile: its foreign keys fail, and a new attempt finds
     * nothing to do. The upgrade compares the hash in the update itself: at READ COMMITTED an
     * update that waited for a concurrent change's row lock evaluates it on the row that change committed.
     */
    async finish(userId, { upgradedHash, releaseSlots, signedInFrom }, now) {
      const sets = [
        ...(signedInFrom === undefined ? [] : [sql`last_login = ${new Date(now)}::timestamptz`]),
        ...(upgradedHash === undefined ? [] : [sql`password = case when password = ${upgradedHash.from}::text then ${upgradedHash.to}::text else password end`]),
      ];
      const known = signedInFrom === undefined ? sql`` : sql`, known as (${remember(userId, signedInFrom, now)})`;
      const update = sets.length === 0 ? sql`select 1` : sql`update users set ${sql.join(sets, sql`, `)} where id = ${userId}::bigint`;
      await statement(
        connection,
        (db) =>
          db.execute(sql`
            with released as (delete from throttle_events where id = any(${sql.param(releaseSlots)}::bigint[]))${known}
            ${update}`),
        { foreignKeys: true },
      );
    },
  };
}
