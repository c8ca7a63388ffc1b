/** The statement fragment that ends login sessions, shared by every write that ends them. */
import { type SQL, sql } from "drizzle-orm";

/**
 * SQL (a data-modifying CTE's body): ends every live session of user `userId` but `except`, when
 * `when` holds, returning (id, expires_at) of each it ended. A session started by a transaction
 * that commits after this statement's snapshot is not seen: the writes whose meaning that would
 * break (a new password, a deactivation) lock the user's row first (see ./caller.ts, ./admin.ts).
 */
export function endLiveSessions(userId: number, now: number, options: { except?: string; when?: SQL } = {}): SQL {
  const moment = new Date(now);
  return sql`update token_families set revoked_at = ${moment}::timestamptz
    where user_id = ${userId}::bigint and revoked_at is null and expires_at > ${moment}::timestamptz
    ${options.except === undefined ? sql`` : sql`and id <> ${options.except}::text`}
    ${options.when === undefined ? sql`` : sql`and ${options.when}`}
    returning id, expires_at`;
}
