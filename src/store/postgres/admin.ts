/**
 * AdminStore: an admin's change or deletion of another user, conditioned in the write itself on
 * the caller's role (read by the guard in the same statement) and, for is_active, on the
 * target's role, read on the row being updated (the newest version: an UPDATE re-checks its WHERE
 * on it after a concurrent change), so a promotion that lands first is seen.
 */
import { type SQL, sql } from "drizzle-orm";
import type { AdminRole, AdminStore, AdminUserRow, CallerIdentity } from "../index";
import type { Connection, Database } from "./client";
import { deleteUserWhole, lockUserForDeletion } from "./deletion";
import { forgetMfaCtes } from "./mfa";
import { ALLOWED, CALLER_COLUMNS, CALLER_FROM, callerOf, guardCtes } from "./guard";
import { type Raw, adminUserRow, endedJson, endedSessions, userColumns } from "./mapping";
import { endLiveSessions } from "./revocations";
import { socialProvidersOf } from "./sign-in-methods";
import { statement, transaction } from "./transactions";

/** SQL: the caller (the guard's `caller`) holds `role`. */
const callerHolds = (role: AdminRole) =>
  role === "superuser" ? sql`exists (select 1 from caller where is_staff and is_superuser)` : sql`exists (select 1 from caller where is_staff)`;

/** SQL: the CTE `target`, user `id`'s row locked (its newest version read) only for a caller who holds `need`. */
const lockedTarget = (id: number, need: AdminRole) =>
  sql`target as (select id from users where id = ${id}::bigint and ${ALLOWED} and ${callerHolds(need)} for no key update)`;

export function admin(connection: Connection, identity: CallerIdentity): AdminStore {
  return {
    /**
     * One statement; a deactivation is a transaction that locks the target's row first (FOR NO
     * KEY UPDATE), so that a login of the target either commits its session before this
     * statement's snapshot (and the session ends here) or reads the account after it, inactive
     * (./logins.ts reads it FOR SHARE): none survives the deactivation.
     */
    changeUser(id, changes, need, now) {
      const deactivating = changes.isActive === false;
      const work = async (db: Database) => {
        const target = sql`${id}::bigint`;
        const status = changes.isActive === undefined || need === "superuser" ? sql`true` : sql`(${callerHolds("superuser")} or not (t.is_staff or t.is_superuser))`;
        const permitted = sql`${ALLOWED} and ${callerHolds(need)} and ${status}`;
        const { rows } = await db.execute<Raw>(sql`with ${guardCtes(identity)}, ${lockedTarget(id, need)},
          changed as (
            update users t set is_active = coalesce(${changes.isActive ?? null}::boolean, t.is_active), is_staff = coalesce(${changes.isStaff ?? null}::boolean, t.is_staff),
              mfa_enabled = coalesce(${changes.mfaEnabled ?? null}::boolean, t.mfa_enabled)
            where t.id = (select id from target) and ${permitted}
            returning t.*
          )
          ${deactivating ? sql`, ended as (${endLiveSessions(id, now, { when: sql`exists (select 1 from changed)` })})` : sql``}
          ${changes.mfaEnabled === false ? sql`, ${forgetMfaCtes(target, sql`exists (select 1 from changed)`)}` : sql``}
          select ${CALLER_COLUMNS}, ${userColumns("changed")}, ${socialProvidersOf(sql`changed.id`)} as social_providers,
            case when ${ALLOWED} and ${callerHolds(need)} then exists (select 1 from target) else exists (select 1 from users where id = ${target}) end as target_exists,
            ${deactivating ? endedJson(sql`ended`) : sql`'[]'::json`} as ended
          from ${CALLER_FROM} left join changed on true`);
        const [row] = rows as [Raw];
        const caller = callerOf(row);
        const user: AdminUserRow | undefined = row.id === null ? undefined : adminUserRow(row);
        return { caller, ...(user ? { user } : {}), exists: row.target_exists === true, ended: endedSessions(row.ended) };
      };
      if (!deactivating) return statement(connection, work);
      return transaction(connection, async (db) => {
        // The lock first, in a statement of its own: the work's snapshot is taken once it is held.
        await db.execute(sql`with ${guardCtes(identity)}, ${lockedTarget(id, need)} select count(*) from target`);
        return work(db);
      });
    },

    /** A transaction: the guard and, for a superuser caller only, the deletion's locks (./deletion.ts); then the deletion. */
    deleteUser(id, _now) {
      return transaction(connection, async (db) => {
        const when: SQL = sql`${ALLOWED} and ${callerHolds("superuser")}`;
        const { rows } = await db.execute<Raw>(sql`with ${guardCtes(identity)}, ${lockUserForDeletion(id, when)}
          select ${CALLER_COLUMNS}, exists (select 1 from locked_users where id = ${id}::bigint) as locked from ${CALLER_FROM}`);
        const caller = callerOf(rows[0]);
        if (rows[0]!.locked !== true) return { caller, ended: [] };
        const { row, ...deleted } = await deleteUserWhole(db, id, identity, when);
        return { caller: callerOf(row), ...deleted };
      });
    },
  };
}
