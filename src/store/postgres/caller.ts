/**
 * The CallerStore: a signed-in caller's work, every method reading the caller with it (./guard.ts)
 * and writing nothing unless the caller is an active user with a live session.
 */
import { sql } from "drizzle-orm";
import type { CallerIdentity, CallerStore } from "../index";
import { admin } from "./admin";
import { postgresCallerContentStore } from "./content-store";
import { postgresCallerExportStore } from "./export-store";
import { postgresCallerFeedStore } from "./feed-store";
import { postgresCallerNotificationStore, postgresCallerRelationStore } from "./relation-store";
import { callerSessions } from "./caller-sessions";
import type { Connection } from "./client";
import { deleteUserWhole, lockUserForDeletion } from "./deletion";
import { callerFollows } from "./follows";
import { ALLOWED, CALLER_COLUMNS, CALLER_FROM, callerOf, guardCtes } from "./guard";
import { lockFirst } from "./locks";
import { mailColumns, mailCtes, mailKeys, mailReservationOf } from "./mail-throttle";
import { callerMfa } from "./mfa";
import { callerPasskeys } from "./passkeys";
import { type Raw, endedJson, endedSessions } from "./mapping";
import { callerSocialAccounts } from "./oauth";
import { profile } from "./profile";
import { endLiveSessions } from "./revocations";
import { reservationColumns, reservationCtes, reservationOf, ruleKeys } from "./throttle";
import { statement, transaction } from "./transactions";
import { callerUsers } from "./users";

export function callerStore(connection: Connection, identity: CallerIdentity): CallerStore {
  return {
    identity,

    async check() {
      const { rows } = await statement(connection, (db) => db.execute<Raw>(sql`with ${guardCtes(identity)} select ${CALLER_COLUMNS} from ${CALLER_FROM}`));
      return callerOf(rows[0]);
    },

    /** A transaction: the keys locked, then the guard and the reservation in one statement (./throttle.ts). */
    reserve(rules, now) {
      return transaction(connection, async (db) => {
        await lockFirst(db, ruleKeys(rules));
        const { rows } = await db.execute<Raw>(sql`with ${guardCtes(identity)}, ${reservationCtes("slot", rules, now, ALLOWED)}
          select ${CALLER_COLUMNS}, ${reservationColumns("slot")} from ${CALLER_FROM}`);
        return { caller: callerOf(rows[0]), reservation: reservationOf(rows[0]!, "slot") };
      });
    },

    /** Unguarded, as the interface says: giving slots back is harmless. */
    async releaseSlots(ids) {
      if (ids.length === 0) return;
      await statement(connection, (db) => db.execute(sql`delete from throttle_events where id = any(${sql.param(ids)}::bigint[])`));
    },

    /** A transaction: the mail's keys locked, then the guard and the reservation in one statement (./mail-throttle.ts). */
    countMail(ask, now) {
      return transaction(connection, async (db) => {
        await lockFirst(db, mailKeys(ask));
        const { rows } = await db.execute<Raw>(sql`with ${guardCtes(identity)}, ${mailCtes("mail", ask, now, ALLOWED)}
          select ${CALLER_COLUMNS}, ${mailColumns("mail")} from ${CALLER_FROM}`);
        return { caller: callerOf(rows[0]), mail: mailReservationOf(rows[0]!, "mail") };
      });
    },

    profile: profile(connection, identity),
    content: postgresCallerContentStore(connection, identity),
    feed: postgresCallerFeedStore(connection, identity),
    notifications: postgresCallerNotificationStore(connection, identity),
    relations: postgresCallerRelationStore(connection, identity),
    socialAccounts: callerSocialAccounts(connection, identity),
    mfa: callerMfa(connection, identity),
    export: postgresCallerExportStore(connection, identity),
    passkeys: callerPasskeys(connection, identity),

    /**
     * A transaction: the caller's row locked first (FOR NO KEY UPDATE), so that a login that read
     * the old hash has committed its session (and it ends here), or reads the new hash after
     * (./logins.ts); then, in a snapshot taken with the lock held, the guard (a concurrent change
     * that ended this session is seen, as on D1), the hash over the one checked, and every live
     * session ended.
     */
    changePassword(hashes, now) {
      return transaction(connection, async (db) => {
        await lockFirst(db, [], identity.id);
        const { rows } = await db.execute<Raw>(sql`with ${guardCtes(identity)},
          changed as (
            update users set password = ${hashes.next}::text
            where id = ${identity.id}::bigint and password = ${hashes.expected}::text and ${ALLOWED} returning id
          ),
          ended as (${endLiveSessions(identity.id, now, { when: ALLOWED })})
          select ${CALLER_COLUMNS}, exists (select 1 from changed) as changed, ${endedJson(sql`ended`)} as ended from ${CALLER_FROM}`);
        return { caller: callerOf(rows[0]), changed: rows[0]!.changed === true, ended: endedSessions(rows[0]!.ended) };
      });
    },

    sessions: callerSessions(connection, identity),
    follows: callerFollows(connection, identity),
    users: callerUsers(connection, identity),
    admin: admin(connection, identity),

    /**
     * A transaction: the locks of the caller's row and its follows' other users (./deletion.ts
     * says why; taken only for a caller the guard lets through), then the guard again, in a
     * snapshot taken with the locks held, and the deletion.
     */
    deleteAccount(_now) {
      return transaction(connection, async (db) => {
        const { rows } = await db.execute<Raw>(sql`with ${guardCtes(identity)}, ${lockUserForDeletion(identity.id, ALLOWED)}
          select ${CALLER_COLUMNS}, (select count(*) from locked_users) as locked from ${CALLER_FROM}`);
        // (A SELECT in WITH runs only when read: the count above is what takes the locks.)
        callerOf(rows[0]);
        const { row, ...deleted } = await deleteUserWhole(db, identity.id, identity, ALLOWED);
        return { caller: callerOf(row), ...deleted };
      });
    },

    async knownAddresses(after, limit) {
      const { rows } = await statement(connection, (db) =>
        db.execute<Raw>(sql`with ${guardCtes(identity)}
          select ${CALLER_COLUMNS}, k.address, k.last_login_at
          from ${CALLER_FROM} left join lateral (
            select address, last_login_at from known_addresses
            where user_id = caller.id and ${ALLOWED} ${after === undefined ? sql`` : sql`and address collate "C" > ${after}::text`}
            order by address collate "C" limit ${limit}::bigint
          ) k on true
          order by k.address collate "C"`),
      );
      const caller = callerOf(rows[0]);
      return { caller, rows: rows.filter((row) => row.address !== null).map((row) => ({ address: row.address as string, lastSeen: row.last_login_at as number })) };
    },
  };
}
