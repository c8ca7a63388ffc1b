/** CallerSessionStore: the caller's login sessions, each method one guarded statement. */
import { sql } from "drizzle-orm";
import type { CallerIdentity, CallerSessionStore } from "../index";
import type { Connection } from "./client";
import { ALLOWED, CALLER_COLUMNS, CALLER_FROM, callerOf, guardCtes } from "./guard";
import { type Raw, endedJson, endedSessions, moment, momentOrNull } from "./mapping";
import { endLiveSessions } from "./revocations";
import { statement } from "./transactions";

export function callerSessions(connection: Connection, identity: CallerIdentity): CallerSessionStore {
  return {
    async list(now) {
      const at = new Date(now);
      const { rows } = await statement(connection, (db) =>
        db.execute<Raw>(sql`with ${guardCtes(identity)}
          select ${CALLER_COLUMNS}, s.id, s.created_at, s.last_used_at, s.user_agent
          from ${CALLER_FROM} left join lateral (
            select id, created_at, last_used_at, user_agent from token_families
            where user_id = caller.id and revoked_at is null and expires_at > ${at}::timestamptz and ${ALLOWED}
          ) s on true
          -- Ids compare byte by byte, as on D1, whatever the database's collation.
          order by s.created_at desc, s.id collate "C" desc`),
      );
      const caller = callerOf(rows[0]);
      const live = rows.filter((row) => row.id !== null);
      return {
        caller,
        sessions: live.map((row) => ({
          id: row.id as string,
          createdAt: moment(row.created_at),
          lastUsedAt: momentOrNull(row.last_used_at),
          userAgent: row.user_agent as string | null,
        })),
      };
    },

    async end(sessionId, now) {
      const at = new Date(now);
      const { rows } = await statement(connection, (db) =>
        db.execute<Raw>(sql`with ${guardCtes(identity)},
          ended as (
            update token_families set revoked_at = ${at}::timestamptz
            where id = ${sessionId}::text and user_id = ${identity.id}::bigint and revoked_at is null and expires_at > ${at}::timestamptz and ${ALLOWED}
            returning id, expires_at
          )
          select ${CALLER_COLUMNS}, ${endedJson(sql`ended`)} as ended from ${CALLER_FROM}`),
      );
      const caller = callerOf(rows[0]);
      const [ended] = endedSessions(rows[0]!.ended);
      return { caller, ...(ended ? { ended } : {}) };
    },

    async endAll(now) {
      const { rows } = await statement(connection, (db) =>
        db.execute<Raw>(sql`with ${guardCtes(identity)}, ended as (${endLiveSessions(identity.id, now, { when: ALLOWED })})
          select ${CALLER_COLUMNS}, ${endedJson(sql`ended`)} as ended from ${CALLER_FROM}`),
      );
      return { caller: callerOf(rows[0]), ended: endedSessions(rows[0]!.ended) };
    },
  };
}
