/**
 * Two-factor storage on PostgreSQL: the caller's factor (guarded statements) and the second step
 * of a sign-in. A write that uses a code up locks the user's row first, in a statement of its own
 * (./locks.ts), so its work reads, in a snapshot taken with the lock held, every use of a code
 * committed before it: of racing requests with one code, exactly one acts. Within a statement the
 * CTEs act on what its first write returned.
 */
import { type SQL, sql } from "drizzle-orm";
import type { CallerIdentity, CallerMfaStore, MfaProof, MfaStore, ThrottleRule } from "../index";
import type { Connection, Database } from "./client";
import { ALLOWED, CALLER_COLUMNS, CALLER_FROM, callerOf, guardCtes } from "./guard";
import { lockFirst } from "./locks";
import { type Raw, countsJson, countsOf, moment } from "./mapping";
import { startSessionFrom } from "./sign-ins";
import { reservationColumns, reservationCtes, reservationOf, ruleKeys } from "./throttle";
import { statement, transaction } from "./transactions";

/** SQL: a relation (key, attempts, oldest) of the attempts in `rules`' windows (rules without `unlessKnown`). */
function windowCounts(rules: ThrottleRule[], now: number): SQL {
  if (rules.length === 0) return sql`select null::text as key, 0::bigint as attempts, null::bigint as oldest where false`;
  const rows = rules.map((rule) => sql`(${rule.key}::text, ${now - rule.periodMs}::bigint)`);
  return sql`select e.key, count(*) as attempts, min(e.at) as oldest
    from (values ${sql.join(rows, sql`, `)}) as r(key, since) join throttle_events e on e.key = r.key and e.at > r.since
    group by e.key`;
}

/** SQL: every rule's window holds fewer attempts than its limit. */
function underLimits(rules: ThrottleRule[], now: number): SQL {
  if (rules.length === 0) return sql`true`;
  const rows = rules.map((rule) => sql`(${rule.key}::text, ${rule.limit}::bigint, ${now - rule.periodMs}::bigint)`);
  return sql`not exists (select 1 from (values ${sql.join(rows, sql`, `)}) as r(key, lim, since)
    where (select count(*) from throttle_events e where e.key = r.key and e.at > r.since) >= r.lim)`;
}

/** SQL: `proof` holds for user `userId` (its step after the last accepted of that very secret, or its recovery code unused). */
function proofHolds(userId: number, proof: MfaProof): SQL {
  if ("recoveryHash" in proof) return sql`exists (select 1 from mfa_recovery_codes where user_id = ${userId}::bigint and code_hash = ${proof.recoveryHash}::text)`;
  return sql`exists (select 1 from totp_factors where user_id = ${userId}::bigint and secret = ${proof.secret}::text and last_step < ${proof.step}::bigint)`;
}

/** SQL: the write using `proof` up when `spent` (SQL) holds: the step recorded (the secret sealed anew), or one matching recovery code deleted. */
function useProof(userId: number, proof: MfaProof, spent: SQL): SQL {
  if ("recoveryHash" in proof) {
    return sql`delete from mfa_recovery_codes where id = (
      select min(id) from mfa_recovery_codes where user_id = ${userId}::bigint and code_hash = ${proof.recoveryHash}::text
    ) and ${spent}`;
  }
  const reseal = proof.resealed ? sql`, secret = ${proof.resealed}::text` : sql``;
  return sql`update totp_factors set last_step = ${proof.step}::bigint ${reseal} where user_id = ${userId}::bigint and ${spent}`;
}

/** SQL: CTEs `forgot_factor`, `forgot_codes`, `forgot_challenges` deleting user `userId`'s two-factor data when `when` (SQL) holds. */
export const forgetMfaCtes = (userId: SQL, when: SQL) => sql`
  forgot_factor as (delete from totp_factors where user_id = ${userId} and ${when}),
  forgot_codes as (delete from mfa_recovery_codes where user_id = ${userId} and ${when}),
  forgot_challenges as (delete from mfa_challenges where user_id = ${userId} and ${when})`;

export function callerMfa(connection: Connection, identity: CallerIdentity): CallerMfaStore {
  const id = sql`${identity.id}::bigint`;
  return {
    async factor(rules, now) {
      const { rows } = await statement(connection, (db) =>
        db.execute<Raw>(sql`with ${guardCtes(identity)}, counts as (${windowCounts(rules, now)})
          select ${CALLER_COLUMNS}, f.user_id as factor_user, f.secret, f.pending_secret, f.last_step,
            (select count(*) from mfa_recovery_codes r where r.user_id = ${id}) as recovery_codes, ${countsJson(sql`counts`)} as counts
          from ${CALLER_FROM} left join totp_factors f on f.user_id = ${id} and ${ALLOWED}`),
      );
      const [row] = rows as [Raw];
      const caller = callerOf(row);
      const factor =
        row.factor_user === null
          ? undefined
          : { secret: row.secret as string | null, pendingSecret: row.pending_secret as string | null, lastStep: row.last_step as number, recoveryCodes: row.recovery_codes as number };
      return { caller, factor, counts: countsOf(row.counts) };
    },

    async beginSetup(pendingSecret) {
      const { rows } = await statement(
        connection,
        (db) =>
          db.execute<Raw>(sql`with ${guardCtes(identity)},
            kept as (
              insert into totp_factors (user_id, pending_secret) select ${id}, ${pendingSecret}::text where ${ALLOWED}
              on conflict (user_id) do update set pending_secret = excluded.pending_secret
            )
            select ${CALLER_COLUMNS} from ${CALLER_FROM}`),
        { foreignKeys: true },
      );
      return { caller: callerOf(rows[0]) };
    },

    async confirm({ pending, secret, step, codeHashes }) {
      const { rows } = await statement(connection, (db) =>
        db.execute<Raw>(sql`with ${guardCtes(identity)},
          confirmed as (
            update totp_factors set secret = ${secret}::text, pending_secret = null, last_step = ${step}::bigint
            where user_id = ${id} and pending_secret = ${pending}::text and ${ALLOWED}
            returning user_id
          ),
          cleared as (delete from mfa_recovery_codes where user_id in (select user_id from confirmed)),
          added as (insert into mfa_recovery_codes (user_id, code_hash) select c.user_id, h.hash from confirmed c cross join unnest(${sql.param(codeHashes)}::text[]) as h(hash)),
          switched as (update users set mfa_enabled = true where id in (select user_id from confirmed))
          select ${CALLER_COLUMNS}, exists (select 1 from confirmed) as confirmed from ${CALLER_FROM}`),
      );
      return { caller: callerOf(rows[0]), confirmed: rows[0]!.confirmed === true };
    },

    /** One statement: the user's row is updated first (its lock orders racing replacements), the codes replaced only when it was. */
    async replaceRecoveryCodes(codeHashes) {
      const { rows } = await statement(connection, (db) =>
        db.execute<Raw>(sql`with ${guardCtes(identity)},
          holder as (update users set mfa_enabled = mfa_enabled where id = ${id} and mfa_enabled and ${ALLOWED} returning id),
          cleared as (delete from mfa_recovery_codes where user_id in (select id from holder)),
          added as (insert into mfa_recovery_codes (user_id, code_hash) select u.id, h.hash from holder u cross join unnest(${sql.param(codeHashes)}::text[]) as h(hash))
          select ${CALLER_COLUMNS}, exists (select 1 from holder) as replaced from ${CALLER_FROM}`),
      );
      return { caller: callerOf(rows[0]), replaced: rows[0]!.replaced === true };
    },

    /** A transaction: the caller's row locked first, so a code a racing sign-in used is seen used. */
    disable(proof) {
      return transaction(connection, async (db) => {
        await lockFirst(db, [], identity.id);
        const { rows } = await db.execute<Raw>(sql`with ${guardCtes(identity)},
          switched as (update users set mfa_enabled = false where id = ${id} and mfa_enabled and ${ALLOWED} and ${proofHolds(identity.id, proof)} returning id),
          ${forgetMfaCtes(id, sql`exists (select 1 from switched)`)}
          select ${CALLER_COLUMNS}, exists (select 1 from switched) as disabled from ${CALLER_FROM}`);
        return { caller: callerOf(rows[0]), disabled: rows[0]!.disabled === true };
      });
    },
  };
}

/** SQL: user `userId` is active with two-factor on. */
const mfaOn = (userId: number) => sql`exists (select 1 from users where id = ${userId}::bigint and is_active and mfa_enabled)`;

export function mfa(connection: Connection): MfaStore {
  return {
    async challenge(tokenHash, now) {
      const { rows } = await statement(connection, (db) =>
        db.execute<Raw>(sql`select c.user_id, f.secret, f.last_step
          from mfa_challenges c join users u on u.id = c.user_id left join totp_factors f on f.user_id = c.user_id
          where c.token_hash = ${tokenHash}::text and c.session_id is null and c.expires_at > ${new Date(now)}::timestamptz and u.is_active and u.mfa_enabled`),
      );
      const [row] = rows;
      if (!row) return undefined;
      return { userId: row.user_id as number, secret: row.secret as string | null, lastStep: (row.last_step as number | null) ?? 0 };
    },

    answer({ tokenHash, userId }, proof, session, rules, now) {
      if (!proof) {
        return transaction(connection, async (db) => {
          await lockFirst(db, ruleKeys(rules));
          const { rows } = await db.execute<Raw>(sql`with ${reservationCtes("slot", rules, now)} select ${reservationColumns("slot")}`);
          const reservation = reservationOf(rows[0]!, "slot");
          return reservation.slots.length > 0 ? { outcome: "wrong" as const } : { outcome: "throttled" as const, counts: reservation.counts };
        });
      }
      return transaction(
        connection,
        async (db: Database) => {
          // The throttle keys, then the user's row: a racing answer, disable or sign-in of this user waits, and is then seen.
          await lockFirst(db, ruleKeys(rules), userId);
          const challenge = sql`token_hash = ${tokenHash}::text and user_id = ${userId}::bigint`;
          const { rows } = await db.execute<Raw>(sql`with
            spent as (
              update mfa_challenges set session_id = ${session.id}::text
              where ${challenge} and session_id is null and expires_at > ${new Date(now)}::timestamptz
                and ${underLimits(rules, now)} and ${mfaOn(userId)} and ${proofHolds(userId, proof)}
              returning token_hash
            ),
            used as (${useProof(userId, proof, sql`exists (select 1 from spent)`)}),
            account as (select id from users where id = ${userId}::bigint),
            started as (${startSessionFrom(sql`account`, session, now, sql`exists (select 1 from spent)`)}),
            counts as (${windowCounts(rules, now)})
            select exists (select 1 from spent) as spent_here, c.session_id, c.expires_at, ${mfaOn(userId)} as usable, ${countsJson(sql`counts`)} as counts
            from (select 1) as one left join mfa_challenges c on c.token_hash = ${tokenHash}::text and c.user_id = ${userId}::bigint`);
          const [row] = rows as [Raw];
          const counts = countsOf(row.counts);
          if (row.spent_here === true) return { outcome: "signed_in" as const };
          if (row.session_id !== null || row.expires_at === null || moment(row.expires_at).getTime() <= now || row.usable !== true) return { outcome: "spent" as const };
          const over = rules.some((rule) => (counts.find((entry) => entry.key === rule.key)?.attempts ?? 0) >= rule.limit);
          return over ? { outcome: "throttled" as const, counts } : { outcome: "refused" as const };
        },
        { foreignKeys: true },
      );
    },
  };
}
