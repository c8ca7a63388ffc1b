/**
 * Passkey storage on PostgreSQL: the caller's passkeys (guarded statements) and discoverable login.
 * A write that uses a challenge is one statement whose first CTE deletes it (`delete ...
 * returning`): at READ COMMITTED a racing statement's delete waits for that row and then finds it
 * gone, so of racing requests with one challenge exactly one acts; the other CTEs act only on
 * what that delete returned.
 */
import { type SQL, sql } from "drizzle-orm";
import type { CallerIdentity, CallerPasskeyStore, PasskeyRow, PasskeyStore } from "../index";
import type { Connection } from "./client";
import { ALLOWED, CALLER_COLUMNS, CALLER_FROM, callerOf, guardCtes } from "./guard";
import { lockFirst } from "./locks";
import { type Raw, moment, momentOrNull } from "./mapping";
import { keepsAWayToSignIn } from "./sign-in-methods";
import { startSessionFrom } from "./sign-ins";
import { statement, transaction } from "./transactions";

/** Expired challenges each login challenge's insert deletes (as on D1: src/store/d1/passkey-store.ts). */
const SWEEP = 2;

const passkeyOf = (row: Raw): PasskeyRow => ({
  id: row.id as number,
  name: row.name as string,
  createdAt: moment(row.created_at),
  lastUsedAt: momentOrNull(row.last_used_at),
});

/** SQL: user `userId` keeps a way to sign in without passkey `passkeyId`: a usable password (src/auth/passwords/usable.ts) or another passkey. */

export function callerPasskeys(connection: Connection, identity: CallerIdentity): CallerPasskeyStore {
  const id = sql`${identity.id}::bigint`;
  return {
    async list() {
      const { rows } = await statement(connection, (db) =>
        db.execute<Raw>(sql`with ${guardCtes(identity)}
          select ${CALLER_COLUMNS}, p.id, p.name, p.created_at, p.last_used_at
          from ${CALLER_FROM} left join passkeys p on p.user_id = ${id} and ${ALLOWED}
          order by p.id`),
      );
      const caller = callerOf(rows[0]);
      return { caller, passkeys: rows.filter((row) => row.id !== null).map(passkeyOf) };
    },

    async beginRegistration({ challenge, expiresAt, newHandle }) {
      const { rows } = await statement(
        connection,
        (db) =>
          db.execute<Raw>(sql`with ${guardCtes(identity)},
            kept as (
              insert into passkey_challenges (challenge, purpose, user_id, user_handle, expires_at)
              select ${challenge}::text, 'registration', ${id},
                coalesce((select user_handle from passkeys where user_id = ${id} limit 1), ${newHandle}::text), ${expiresAt}::timestamptz
              where ${ALLOWED}
              returning user_handle
            )
            select ${CALLER_COLUMNS}, (select user_handle from kept) as user_handle,
              (select coalesce(json_agg(json_build_object('credentialId', credential_id, 'transports', transports) order by id), '[]')
               from passkeys where user_id = ${id} and ${ALLOWED}) as excluded
            from ${CALLER_FROM}`),
        { foreignKeys: true },
      );
      const [row] = rows as [Raw];
      const caller = callerOf(row);
      const excluded = (row.excluded as { credentialId: string; transports: string }[]).map((entry) => ({
        credentialId: entry.credentialId,
        transports: JSON.parse(entry.transports) as string[],
      }));
      return { caller, userHandle: row.user_handle as string, excluded };
    },

    async register(challenge, passkey, now) {
      const { rows } = await statement(
        connection,
        (db) =>
          db.execute<Raw>(sql`with ${guardCtes(identity)},
            spent as (
              delete from passkey_challenges
              where challenge = ${challenge}::text and purpose = 'registration' and user_id = ${id} and ${ALLOWED}
              returning user_id, user_handle, expires_at
            ),
            inserted as (
              insert into passkeys (user_id, credential_id, public_key, counter, transports, user_handle, name, created_at)
              select user_id, ${passkey.credentialId}::text, ${passkey.publicKey}::text, ${passkey.counter}::bigint,
                ${JSON.stringify(passkey.transports)}::text, user_handle, ${passkey.name}::text, ${new Date(now)}::timestamptz
              from spent where expires_at > ${new Date(now)}::timestamptz
              on conflict (credential_id) do nothing
              returning id, name, created_at, last_used_at
            ),
            counted as (update users set passkey_count = passkey_count + 1 where id = ${id} and exists (select 1 from inserted))
            select ${CALLER_COLUMNS}, i.id, i.name, i.created_at, i.last_used_at from ${CALLER_FROM} left join inserted i on true`),
        { foreignKeys: true },
      );
      const [row] = rows as [Raw];
      const caller = callerOf(row);
      return { caller, passkey: row.id === null ? undefined : passkeyOf(row) };
    },

    /**
     * A transaction: the caller's row locked first, so that two deletions (or a deletion and
     * another removal of a way to sign in) never each count the other's passkey as the way that
     * remains; then, in a snapshot taken with the lock held, the guard and the conditional delete.
     */
    delete(passkeyId) {
      return transaction(connection, async (db) => {
        await lockFirst(db, [], identity.id);
        const target = sql`${passkeyId}::bigint`;
        const { rows } = await db.execute<Raw>(sql`with ${guardCtes(identity)},
          target as (select id from passkeys where id = ${target} and user_id = ${id} and ${ALLOWED}),
          deleted as (delete from passkeys where id in (select id from target) and ${keepsAWayToSignIn(id, { passkeyId: sql`(select id from target)` })} returning id),
          counted as (update users set passkey_count = passkey_count - 1 where id = ${id} and exists (select 1 from deleted))
          select ${CALLER_COLUMNS}, exists (select 1 from deleted) as deleted, exists (select 1 from target) as found from ${CALLER_FROM}`);
        const [row] = rows as [Raw];
        const caller = callerOf(row);
        const outcome = row.deleted === true ? "deleted" : row.found === true ? "last" : "unknown";
        return { caller, outcome };
      });
    },
  };
}

export function passkeyLogins(connection: Connection): PasskeyStore {
  return {
    /** With it, up to SWEEP expired challenges go (see the D1 store): the table holds about the last 5 minutes' whatever anyone asks. */
    async beginLogin({ challenge, expiresAt }, now) {
      await statement(connection, (db) =>
        db.execute(sql`with swept as (
            delete from passkey_challenges where challenge in (
              select challenge from passkey_challenges where expires_at < ${new Date(now)}::timestamptz order by expires_at limit ${SWEEP}
            )
          )
          insert into passkey_challenges (challenge, purpose, expires_at) values (${challenge}::text, 'login', ${expiresAt}::timestamptz)`),
      );
    },

    async credential(credentialId) {
      const { rows } = await statement(connection, (db) =>
        db.execute<Raw>(sql`select p.id, p.user_id, p.credential_id, p.public_key, p.counter, p.user_handle, u.is_active
          from passkeys p join users u on u.id = p.user_id where p.credential_id = ${credentialId}::text`),
      );
      const [row] = rows;
      if (!row) return undefined;
      return {
        id: row.id as number,
        userId: row.user_id as number,
        credentialId: row.credential_id as string,
        publicKey: row.public_key as string,
        counter: Number(row.counter),
        userHandle: row.user_handle as string,
        userActive: row.is_active === true,
      };
    },

    /**
     * One statement. The user is read FOR SHARE, as every sign-in's write reads it (./sign-ins.ts):
     * a deactivation in progress commits first and is seen. The counter's update compares the
     * counter in the update itself: a racing login that moved it first is seen (the update waits
     * for its row lock, then finds another value).
     */
    async login({ challenge, passkeyId, userId, counter, session }, now) {
      const at = sql`${new Date(now)}::timestamptz`;
      const { rows } = await statement(
        connection,
        (db) =>
          db.execute<Raw>(sql`with
            spent as (delete from passkey_challenges where challenge = ${challenge}::text and purpose = 'login' returning expires_at),
            account as (select id, is_active from users where id = ${userId}::bigint for share),
            moved as (
              update passkeys set counter = ${counter.to}::bigint, last_used_at = ${at}
              where id = ${passkeyId}::bigint and user_id = ${userId}::bigint and counter = ${counter.from}::bigint
                and exists (select 1 from spent where expires_at > ${at}) and exists (select 1 from account where is_active)
              returning id
            ),
            started as (${startSessionFrom(sql`account`, session, now, sql`u.is_active and exists (select 1 from moved)`)})
            select exists (select 1 from started) as started, exists (select 1 from spent where expires_at > ${at}) as live,
              coalesce((select is_active from account), false) as active`),
        { foreignKeys: true },
      );
      const [row] = rows as [Raw];
      if (row.started === true) return "signed_in";
      if (row.live !== true) return "challenge";
      return row.active === true ? "counter" : "inactive";
    },
  };
}
