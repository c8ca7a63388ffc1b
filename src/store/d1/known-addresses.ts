/**
 * Data access for the addresses an account is known from (table `known_addresses`; logins write
 * them, src/db/throttle.ts reads them): the address a new account registers from, and the pages
 * of a user's addresses for the export.
 */
import { and, asc, eq, gt, sql } from "drizzle-orm";
import type { Database } from "./client";
import { knownAddresses, users } from "./schema";
import { sameUsername } from "./user-match";

/**
 * The address an account registered from, known to it from the start (to batch after the
 * user's insert): so a stranger who spends its address's mail quota never stops its own
 * verification mail from there, even under mandatory verification, before any login.
 */
export function registrationAddress(db: Database, username: string, address: string, now: number) {
  return db.insert(knownAddresses).select(
    db
      .select({ userId: users.id, address: sql`${address}`.as("address"), lastLoginAt: sql`${now}`.as("last_login_at") })
      .from(users)
      .where(sameUsername(username)),
  );
}

/** Up to `limit` of user `userId`'s known addresses after `after`, in address order (a range of the primary key). */
export function knownAddressPage(db: Database, userId: number, after: string | undefined, limit: number) {
  return db
    .select({ address: knownAddresses.address, lastSeen: knownAddresses.lastLoginAt })
    .from(knownAddresses)
    .where(and(eq(knownAddresses.userId, userId), after === undefined ? undefined : gt(knownAddresses.address, after)))
    .orderBy(asc(knownAddresses.address))
    .limit(limit);
}
