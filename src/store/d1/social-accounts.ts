/** Social login's statements on D1: the identity's user, links, one-time codes and the caller's linked accounts. */
import { type SQL, and, asc, eq, gt, lte, sql } from "drizzle-orm";
import type { NewUser } from "../rows";
import type { ProviderIdentity } from "../oauth";
import type { Database } from "./client";
import { oauthCodes, socialAccounts } from "./oauth-schema";
import { users } from "./schema";
import { keepsAWayToSignIn } from "./sign-in-methods";
import { sameEmail } from "./user-match";

const MATCHED = { id: users.id, username: users.username, isActive: users.isActive, emailVerified: users.emailVerified };

export const ACCOUNT_COLUMNS = {
  id: socialAccounts.id,
  userId: socialAccounts.userId,
  provider: socialAccounts.provider,
  uid: socialAccounts.uid,
  email: socialAccounts.email,
  createdAt: socialAccounts.createdAt,
};

const isIdentity = (identity: ProviderIdentity) => and(eq(socialAccounts.provider, identity.provider), eq(socialAccounts.uid, identity.uid));

/** The user `identity` is linked to. */
export const linkedUser = (db: Database, identity: ProviderIdentity) =>
  db.select(MATCHED).from(socialAccounts).innerJoin(users, eq(users.id, socialAccounts.userId)).where(isIdentity(identity));

/** The user holding `email`, ignoring case (none for no email). */
export const emailHolder = (db: Database, email: string | null) =>
  db.select(MATCHED).from(users).where(email ? sameEmail(email) : sql`0`);

/** Which of `names` some user holds, ignoring case (each a probe of users_username_ci). */
export const takenUsernames = (db: Database, names: string[]) =>
  db
    .select({ username: users.username })
    .from(users)
    .where(names.length > 0 ? sql`lower(${users.username}) in (${sql.join(names.map((name) => sql`lower(${name})`), sql`, `)})` : sql`0`);

/** The link row of `identity`, whoever holds it. */
export const identityRow = (db: Database, identity: ProviderIdentity) => db.select(ACCOUNT_COLUMNS).from(socialAccounts).where(isIdentity(identity));

/**
 * Links `identity` to the user `holder` selects (SQL on users), unless it is linked already. A
 * repeat or a race changes nothing: the unique index on (provider, uid) keeps the first.
 */
export function insertLink(db: Database, identity: ProviderIdentity, holder: SQL, now: number, { orNothing = true } = {}) {
  const insert = db.insert(socialAccounts).select(
    db
      .select({
        id: sql`null`.as("id"),
        userId: users.id,
        provider: sql`${identity.provider}`.as("provider"),
        uid: sql`${identity.uid}`.as("uid"),
        email: sql`${identity.email}`.as("email"),
        createdAt: sql`${now}`.as("created_at"),
      })
      .from(users)
      .where(holder),
  );
  return (orNothing ? insert.onConflictDoNothing() : insert).returning(ACCOUNT_COLUMNS);
}

/** SQL on users: user `userId`, active, holding `email` verified: whom a verified provider email may be linked to. */
export const verifiedHolder = (userId: number, email: string) =>
  and(eq(users.id, userId), eq(users.isActive, true), eq(users.emailVerified, true), sameEmail(email))!;

/** SQL on users: the user just inserted as `user` (its username is unique, ignoring case). */
export const newUser = (user: NewUser) => sql`lower(${users.username}) = lower(${user.username})`;

/** A one-time code's row, and the expired ones swept first (a range of oauth_codes_expiry). */
export const saveCodeStatements = (db: Database, codeHash: string, userId: number, expiresAt: Date, now: number) =>
  [db.delete(oauthCodes).where(lte(oauthCodes.expiresAt, new Date(now))), db.insert(oauthCodes).values({ codeHash, userId, expiresAt })] as const;

/** Takes a code: deleted and answered only while unexpired, so it is taken once. */
export const takeCode = (db: Database, codeHash: string, now: number) =>
  db
    .delete(oauthCodes)
    .where(and(eq(oauthCodes.codeHash, codeHash), gt(oauthCodes.expiresAt, new Date(now))))
    .returning({ userId: oauthCodes.userId });

/** The caller's links, oldest first. */
export const accountsOf = (db: Database, userId: number) =>
  db.select(ACCOUNT_COLUMNS).from(socialAccounts).where(eq(socialAccounts.userId, userId)).orderBy(asc(socialAccounts.id));

/** Link `id` if it is the caller's (tells "not yours or unknown" from "kept: the last way"). */
export const ownAccount = (db: Database, userId: number, id: number) =>
  db.select({ id: socialAccounts.id }).from(socialAccounts).where(and(eq(socialAccounts.id, id), eq(socialAccounts.userId, userId)));

/** Deletes the caller's link `id` only while they keep another way to sign in. */
export const unlinkStatement = (db: Database, userId: number, id: number) =>
  db
    .delete(socialAccounts)
    .where(and(eq(socialAccounts.id, id), eq(socialAccounts.userId, userId), keepsAWayToSignIn(db, userId, { socialAccountId: id })))
    .returning({ id: socialAccounts.id });
