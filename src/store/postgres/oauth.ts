/**
 * Social login on PostgreSQL: the identity's user, links, one-time codes (each one statement) and
 * the caller's linked accounts (guarded statements; an unlink is a short transaction that locks
 * the caller's row first).
 */
import { type SQL, sql } from "drizzle-orm";
import type { CallerIdentity, CallerSocialAccountStore, MatchedUser, OAuthStore, ProviderIdentity, SocialAccountRow, SocialWriteRefused } from "../index";
import type { Connection } from "./client";
import { databaseFailure, takenField } from "./errors";
import { ALLOWED, CALLER_COLUMNS, CALLER_FROM, callerOf, guardCtes } from "./guard";
import { lockFirst } from "./locks";
import { type Raw, moment } from "./mapping";
import { keepsAWayToSignIn } from "./sign-in-methods";
import { statement, transaction } from "./transactions";
import { sameEmail } from "./user-match";

const matched = (value: unknown): MatchedUser | undefined => (value === null || value === undefined ? undefined : (value as MatchedUser));

/** SQL: a user as `MatchedUser` JSON (alias `u`). */
const MATCHED_JSON = sql`json_build_object('id', u.id, 'username', u.username, 'isActive', u.is_active, 'emailVerified', u.email_verified)`;

/** SQL: a link row (alias `a`) as JSON, ids as numbers (a bigint beyond 2^53 is refused when read: ./client.ts). */
const ACCOUNT_JSON = sql`json_build_object('id', a.id::text, 'userId', a.user_id::text, 'provider', a.provider, 'uid', a.uid, 'email', a.email, 'createdAt', a.created_at)`;

const accountOf = (value: unknown): SocialAccountRow | undefined => {
  if (value === null || value === undefined) return undefined;
  const row = value as Record<string, string | null>;
  return { id: Number(row.id), userId: Number(row.userId), provider: row.provider!, uid: row.uid!, email: row.email ?? null, createdAt: moment(row.createdAt) };
};

/** SQL: the insert of `identity`'s link for the users `holder` selects (alias `u`), returning the row. */
const insertLink = (identity: ProviderIdentity, holder: SQL, now: number, { orNothing = true } = {}) =>
  sql`insert into social_accounts (user_id, provider, uid, email, created_at)
    select u.id, ${identity.provider}::text, ${identity.uid}::text, ${identity.email}::text, ${new Date(now)}::timestamptz from ${holder}
    ${orNothing ? sql`on conflict (provider, uid) do nothing` : sql``}
    returning *`;

/** A unique index refusing a write, as the store's answer. */
async function refusedBy<T>(write: () => Promise<T>): Promise<T | SocialWriteRefused> {
  try {
    return await write();
  } catch (error) {
    const failure = databaseFailure(error);
    if (failure?.code === "23505" && failure.constraint === "social_accounts_identity") return { identityTaken: true };
    const taken = takenField(error);
    if (taken) return { taken };
    throw error;
  }
}

export function oauth(connection: Connection): OAuthStore {
  return {
    async match(identity, usernames) {
      const { rows } = await statement(connection, (db) =>
        db.execute<Raw>(sql`select
          (select ${MATCHED_JSON} from social_accounts a join users u on u.id = a.user_id
            where a.provider = ${identity.provider}::text and a.uid = ${identity.uid}::text) as linked,
          ${identity.email ? sql`(select ${MATCHED_JSON} from users u where ${sameEmail("u", identity.email)})` : sql`null::json`} as holder,
          (select coalesce(json_agg(u.username), '[]') from users u
            where lower(u.username) = any(select lower(n) from unnest(${sql.param(usernames)}::text[]) n)) as taken`),
      );
      const [row] = rows as [Raw];
      const held = new Set((row.taken as string[]).map((name) => name.toLowerCase()));
      return { linked: matched(row.linked), emailHolder: matched(row.holder), takenUsernames: usernames.filter((name) => held.has(name.toLowerCase())) };
    },

    /**
     * One statement. The holder's row is read FOR SHARE: a concurrent change of its email,
     * verification or status commits first and the conditions are checked on its new version.
     */
    async linkByEmail(userId, identity, now) {
      if (!identity.email) return { changed: true };
      const holder = sql`(select id from users
        where id = ${userId}::bigint and is_active and email_verified and ${sameEmail("users", identity.email)} for share) u`;
      const { rows } = await statement(
        connection,
        (db) =>
          db.execute<Raw>(sql`with linked as (${insertLink(identity, holder, now)})
            select exists (select 1 from linked) as linked,
              exists (select 1 from social_accounts where provider = ${identity.provider}::text and uid = ${identity.uid}::text) as taken`),
        { foreignKeys: true },
      );
      const [row] = rows as [Raw];
      if (row.linked) return { linked: true };
      return row.taken ? { identityTaken: true } : { changed: true };
    },

    /** One statement: the user and its link (a unique index refusing either undoes both). */
    createWithIdentity(user, identity, now) {
      return refusedBy(() =>
        statement(connection, async (db) => {
          const { rows } = await db.execute<Raw>(sql`
            with new_user as (
              insert into users (username, email, password, date_joined, email_verified, first_name, last_name)
              values (${user.username}::text, ${user.email}::text, ${user.password}::text, ${user.dateJoined}::timestamptz,
                coalesce(${user.emailVerified ?? null}::boolean, false), coalesce(${user.firstName ?? null}::text, ''), coalesce(${user.lastName ?? null}::text, ''))
              returning id
            ),
            link as (${insertLink(identity, sql`new_user u`, now, { orNothing: false })})
            select id from new_user`);
          return { id: (rows as [{ id: number }])[0].id };
        }),
      );
    },

    async saveCode(codeHash, userId, expiresAt, now) {
      await statement(
        connection,
        (db) =>
          db.execute(sql`with swept as (delete from oauth_codes where expires_at <= ${new Date(now)}::timestamptz)
            insert into oauth_codes (code_hash, user_id, expires_at) values (${codeHash}::text, ${userId}::bigint, ${expiresAt}::timestamptz)`),
        { foreignKeys: true },
      );
    },

    async takeCode(codeHash, now) {
      const { rows } = await statement(connection, (db) =>
        db.execute<Raw>(sql`delete from oauth_codes where code_hash = ${codeHash}::text and expires_at > ${new Date(now)}::timestamptz returning user_id`),
      );
      const [row] = rows;
      return row ? { userId: row.user_id as number } : undefined;
    },
  };
}

export function callerSocialAccounts(connection: Connection, identity: CallerIdentity): CallerSocialAccountStore {
  return {
    async list() {
      const { rows } = await statement(connection, (db) =>
        db.execute<Raw>(sql`with ${guardCtes(identity)}
          select ${CALLER_COLUMNS}, (
            select coalesce(json_agg(${ACCOUNT_JSON} order by a.id), '[]') from social_accounts a where a.user_id = caller.id and ${ALLOWED}
          ) as accounts
          from ${CALLER_FROM}`),
      );
      const caller = callerOf(rows[0]);
      return { caller, accounts: (rows[0]!.accounts as unknown[]).map((value) => accountOf(value)!) };
    },

    async connect(provided, now) {
      const { rows } = await statement(
        connection,
        (db) =>
          db.execute<Raw>(sql`with ${guardCtes(identity)},
            inserted as (${insertLink(provided, sql`(select id from caller where ${ALLOWED}) u`, now)})
            select ${CALLER_COLUMNS},
              (select ${ACCOUNT_JSON} from inserted a) as inserted,
              (select ${ACCOUNT_JSON} from social_accounts a where a.provider = ${provided.provider}::text and a.uid = ${provided.uid}::text) as existing
            from ${CALLER_FROM}`),
        { foreignKeys: true },
      );
      const caller = callerOf(rows[0]);
      // The statement's snapshot does not show its own insert: `existing` is the row of an earlier link.
      const account = accountOf(rows[0]!.inserted) ?? accountOf(rows[0]!.existing);
      if (account && account.userId !== identity.id) return { caller, otherUser: true };
      return { caller, account, otherUser: false };
    },

    /** A transaction: the caller's row locked, then, in a snapshot taken with it held, the guard and the conditional delete. */
    unlink(accountId) {
      return transaction(connection, async (db) => {
        await lockFirst(db, [], identity.id);
        const { rows } = await db.execute<Raw>(sql`with ${guardCtes(identity)},
          own as (select id from social_accounts where id = ${accountId}::bigint and user_id = ${identity.id}::bigint),
          deleted as (
            delete from social_accounts where id in (select id from own) and ${ALLOWED}
              and ${keepsAWayToSignIn(sql`${identity.id}::bigint`, { socialAccountId: sql`${accountId}::bigint` })}
            returning id
          )
          select ${CALLER_COLUMNS}, exists (select 1 from own) as own, exists (select 1 from deleted) as deleted from ${CALLER_FROM}`);
        const caller = callerOf(rows[0]);
        const row = rows[0]!;
        return { caller, outcome: !row.own ? "not_found" : row.deleted ? "unlinked" : "last_method" };
      });
    },
  };
}
