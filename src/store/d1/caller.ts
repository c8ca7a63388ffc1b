/**
 * The SQL behind authorization (src/store/d1/caller-scope.ts): a guard statement that fails when the
 * caller is not an active user with a live login session, the caller's row, and conditions on
 * the caller for statements of other tables.
 */
import { and, eq, exists, getTableColumns, gt, isNull, notExists, or, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/sqlite-core";
import type { AdminRole } from "../rows";
import type { CallerIdentity } from "../store";
import type { Database } from "./client";
import { PreparedStatement } from "./prepared";
import { tokenFamilies, users } from "./schema";

/** SQL for "session `:sessionId` of user `:id` is live" (not revoked, not expired at `:now`). */
function liveSession(db: Database) {
  const f = alias(tokenFamilies, "caller_session");
  return exists(
    db
      .select({ one: sql`1` })
      .from(f)
      .where(and(eq(f.id, sql.placeholder("sessionId")), eq(f.userId, sql.placeholder("id")), isNull(f.revokedAt), gt(f.expiresAt, sql.placeholder("now")))),
  );
}

/**
 * The guard and the caller's whole row in one statement (so a route that needs no more than the
 * caller, like profile GET, runs one statement): it evaluates json() on malformed text (which
 * raises an error and so aborts the batch) exactly when the caller is not an active user with a live session. SQLite has no RAISE
 * outside triggers; this is the plain-SQL way to make a statement fail on a condition. Every
 * protected request runs it: its SQL is built once (src/db/prepared.ts).
 */
const REFUSED = "caller refused";
const guardStatement = new PreparedStatement((db) => {
  const u = alias(users, "caller_guard");
  const allowed = exists(
    db.select({ one: sql`1` }).from(u).where(and(eq(u.id, sql.placeholder("id")), eq(u.isActive, true), liveSession(db))),
  );
  return db
    .select({ ...getTableColumns(users), allowed: sql`json(case when ${allowed} then '1' else ${REFUSED} end)` })
    .from(sql`(select 1)`)
    .leftJoin(users, eq(users.id, sql.placeholder("id")));
});

export function callerGuard(db: Database, identity: CallerIdentity) {
  // expires_at holds milliseconds: a placeholder's value goes to D1 as given.
  return guardStatement.bind(db, { id: identity.id, sessionId: identity.sessionId, now: Date.now() });
}

/** Whether a failed batch failed on `callerGuard`. */
export function isGuardFailure(error: unknown): boolean {
  for (let cause = error; cause instanceof Error; cause = cause.cause) {
    if (/malformed JSON/i.test(cause.message)) return true;
  }
  return false;
}

/** Whether user `id` exists and is active (to explain a refused guard). */
export async function callerState(db: Database, id: number): Promise<{ isActive: boolean } | undefined> {
  const [user] = await db.select({ isActive: users.isActive }).from(users).where(eq(users.id, id));
  return user;
}

/** SQL for "the caller is staff", for statements that must scan nothing for anyone else. */
export function callerIsStaff(db: Database, callerId: number) {
  return callerHasRole(db, callerId, "staff");
}

/** SQL for "the caller holds `role`": the condition of an admin's writes, so a refused caller's write changes nothing. */
export function callerHasRole(db: Database, callerId: number, role: AdminRole) {
  const u = alias(users, "caller_role");
  const held = role === "superuser" ? and(eq(u.isStaff, true), eq(u.isSuperuser, true)) : eq(u.isStaff, true);
  return exists(db.select({ one: sql`1` }).from(u).where(and(eq(u.id, callerId), held)));
}

/**
 * SQL for "the caller may change the is_active of user `targetId`": a superuser anyone's, other staff
 * only that of users who are neither staff nor superuser (so staff cannot lock out the owner or one
 * another). The statement reads the target's role itself: a promotion that lands first is seen.
 */
export function callerMayChangeStatusOf(db: Database, callerId: number, targetId: number) {
  const t = alias(users, "status_target");
  const admin = db.select({ one: sql`1` }).from(t).where(and(eq(t.id, targetId), or(eq(t.isStaff, true), eq(t.isSuperuser, true))));
  return or(callerHasRole(db, callerId, "superuser"), and(callerHasRole(db, callerId, "staff"), notExists(admin)))!;
}

/** A subquery for `exists(...)`: user `id` is active. Aliased, so it can sit inside statements on users. */
export function activeUser(db: Database, id: number) {
  const u = alias(users, "active_user");
  return db.select({ one: sql`1` }).from(u).where(and(eq(u.id, id), eq(u.isActive, true)));
}

/** A subquery for `exists(...)`: user `id` exists. */
export function anyUser(db: Database, id: number) {
  const u = alias(users, "any_user");
  return db.select({ one: sql`1` }).from(u).where(eq(u.id, id));
}
