/**
 * SQL for a user's ways to sign in, as on D1 (src/store/d1/sign-in-methods.ts): "this user keeps a
 * way to sign in", each way one entry of `otherWays`, and the providers the admin shape lists.
 * The writes it conditions run after the user's row is locked (./oauth.ts, ./passkeys.ts): two
 * removals racing cannot each count the other's row as the way that remains.
 */
import { type SQL, sql } from "drizzle-orm";

/** What is being removed, so it does not count as the way that remains. */
export type RemovedWay = { socialAccountId: SQL } | { passkeyId: SQL };

/** SQL: user `userId` can still sign in without `removed`: a usable password (src/auth/passwords/usable.ts: not empty, not Django's `!...`), another linked identity or another passkey. */
export function keepsAWayToSignIn(userId: SQL, removed: RemovedWay): SQL {
  const otherLink = "socialAccountId" in removed ? sql` and l.id <> ${removed.socialAccountId}` : sql``;
  const otherPasskey = "passkeyId" in removed ? sql` and k.id <> ${removed.passkeyId}` : sql``;
  const otherWays = [
    sql`exists (select 1 from users w where w.id = ${userId} and w.password <> '' and left(w.password, 1) <> '!')`,
    sql`exists (select 1 from social_accounts l where l.user_id = ${userId}${otherLink})`,
    sql`exists (select 1 from passkeys k where k.user_id = ${userId}${otherPasskey})`,
  ];
  return sql`(${sql.join(otherWays, sql` or `)})`;
}

/**
 * SQL: the providers of the linked social accounts of the user `userId` names (a column of the
 * outer query), sorted byte-wise as on D1 (collation "C"), one per account, `{}` for none: a
 * correlated subquery, so the statement that reads the user carries them (column `social_providers`).
 */
export const socialProvidersOf = (userId: SQL): SQL =>
  sql`array(select l.provider from social_accounts l where l.user_id = ${userId} order by l.provider collate "C")`;
