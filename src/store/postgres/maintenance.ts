/** MaintenanceStore: the cron's clean-up, one statement each. */
import { sql } from "drizzle-orm";
import { KNOWN_ADDRESS_MS, type MaintenanceStore } from "../index";
import type { Connection } from "./client";
import { statement } from "./transactions";

export function maintenance(connection: Connection): MaintenanceStore {
  return {
    async deleteExpiredSessions(limit, now) {
      const { rows } = await statement(connection, (db) =>
        db.execute<{ deleted: number }>(sql`
          with gone as (
            delete from token_families where id in (
              select id from token_families where expires_at < ${new Date(now)}::timestamptz order by expires_at limit ${limit}::bigint
            ) returning id
          )
          select count(*) as deleted from gone`),
      );
      return rows[0]!.deleted;
    },

    /**
     * Old events, and the lock rows of keys left without any. Deleting a lock row a reservation is
     * waiting on is harmless: the deletion holds the row's lock until it commits, and the waiting
     * reservation's insert then creates the row anew and locks it (./throttle.ts).
     */
    async deleteOldThrottleEvents(maxPeriodMs, now) {
      const cut = now - maxPeriodMs;
      await statement(connection, (db) =>
        db.execute(sql`
          with old as (delete from throttle_events where at < ${cut}::bigint)
          delete from throttle_locks l where not exists (select 1 from throttle_events e where e.key = l.key and e.at >= ${cut}::bigint)`),
      );
    },

    async forgetOldAddresses(now) {
      await statement(connection, (db) => db.execute(sql`delete from known_addresses where last_login_at < ${now - KNOWN_ADDRESS_MS}::bigint`));
    },

    async deleteExpiredMfaChallenges(now) {
      await statement(connection, (db) => db.execute(sql`delete from mfa_challenges where expires_at < ${new Date(now)}::timestamptz`));
    },

    async deleteExpiredPasskeyChallenges(now) {
      await statement(connection, (db) => db.execute(sql`delete from passkey_challenges where expires_at < ${new Date(now)}::timestamptz`));
    },
  };
}
