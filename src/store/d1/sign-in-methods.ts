/**
 * SQL for a user's ways to sign in: "this user keeps a way to sign in", the condition of every
 * write that removes one (an unlink, a passkey's deletion), and the providers the admin shape
 * lists. Each way is one entry of `otherWays`.
 */
import { type SQL, type SQLWrapper, and, eq, exists, ne, or, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/sqlite-core";
import type { Database } from "./client";
import { socialAccounts } from "./oauth-schema";
import { passkeys } from "./passkeys-schema";
import { users } from "./schema";

/** What is being removed, so it does not count as the way that remains. */
export type RemovedWay = { socialAccountId: number } | { passkeyId: number };

/** SQL: user `userId` can still sign in without `removed`: a usable password (src/auth/passwords/usable.ts: not empty, not Django's `!...`), another linked identity or another passkey. */
export function keepsAWayToSignIn(db: Database, userId: number, removed: RemovedWay): SQL {
  const u = alias(users, "way_user");
  const link = alias(socialAccounts, "way_link");
  const key = alias(passkeys, "way_passkey");
  const otherWays = [
    exists(db.select({ one: sql`1` }).from(u).where(and(eq(u.id, userId), sql`${u.password} <> '' and substr(${u.password}, 1, 1) <> '!'`))),
    exists(db.select({ one: sql`1` }).from(link).where(and(eq(link.userId, userId), "socialAccountId" in removed ? ne(link.id, removed.socialAccountId) : undefined))),
    exists(db.select({ one: sql`1` }).from(key).where(and(eq(key.userId, userId), "passkeyId" in removed ? ne(key.id, removed.passkeyId) : undefined))),
  ];
  return or(...otherWays)!;
}

/**
 * SQL: the providers of the linked social accounts of the user `userId` names (a column of the
 * outer query), sorted, one per account, `[]` for none: a correlated subquery, so the read that
 * selects the user (a page of them, an update's RETURNING) carries them with no statement more.
 */
export function socialProvidersOf(db: Database, userId: SQLWrapper) {
  const link = alias(socialAccounts, "provider_link");
  const providers = db
    .select({ list: sql`json_group_array(${link.provider} order by ${link.provider})` })
    .from(link)
    .where(eq(link.userId, userId));
  return sql`(${providers})`.mapWith((json: string) => JSON.parse(json) as string[]);
}
