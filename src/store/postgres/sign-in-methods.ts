/**
 * SQL for "this user keeps a way to sign in", as on D1 (src/store/d1/sign-in-methods.ts): each way
 * one entry of `otherWays`; a passkeys table plugs in by adding its `exists (...)` there. The
 * writes it conditions run after the user's row is locked (./oauth.ts): two removals racing
 * cannot each count the other's row as the way that remains.
 */
import { type SQL, sql } from "drizzle-orm";

/** What is being removed, so it does not count as the way that remains. */
export type RemovedWay = { socialAccountId: number };

/** SQL: user `userId` can still sign in without `removed`: a usable password (src/auth/passwords/usable.ts: not empty, not Django's `!...`), or another linked identity. */
export function keepsAWayToSignIn(userId: number, removed: RemovedWay): SQL {
  const otherWays = [
    sql`exists (select 1 from users w where w.id = ${userId}::bigint and w.password <> '' and left(w.password, 1) <> '!')`,
    sql`exists (select 1 from social_accounts l where l.user_id = ${userId}::bigint and l.id <> ${removed.socialAccountId}::bigint)`,
  ];
  return sql`(${sql.join(otherWays, sql` or `)})`;
}
