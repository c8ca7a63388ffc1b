/** The first statement of a transaction that must hold locks before its work reads anything (./throttle.ts, ./deletion.ts). */
import { sql } from "drizzle-orm";
import type { Database } from "./client";
import { lockKeys } from "./throttle";

/**
 * Locks the throttle keys `keys`, then (if given) user `userId`'s row, in one statement and in that
 * order (every transaction takes throttle keys before user rows, so none waits on another in a
 * cycle). `userRow`: FOR NO KEY UPDATE excludes a login's FOR SHARE read of the account and any
 * other write of the row, but not the KEY SHARE of a follow's foreign-key check.
 */
export async function lockFirst(db: Database, keys: string[], userId?: number): Promise<void> {
  if (keys.length === 0 && userId === undefined) return;
  if (userId === undefined) {
    await db.execute(lockKeys(keys));
    return;
  }
  if (keys.length === 0) {
    await db.execute(sql`select id from users where id = ${userId}::bigint for no key update`);
    return;
  }
  // The row's lock waits for the keys' statement: it reads that CTE's count first.
  await db.execute(sql`with keys_locked as (${lockKeys(keys)} returning key)
    select id from users where id = ${userId}::bigint and (select count(*) from keys_locked) >= 0 for no key update`);
}

/**
 * Locks users' rows FOR NO KEY UPDATE, in id order (as every write that locks several users' rows
 * takes them: none waits on another in a cycle): the first statement of a transaction whose work
 * must be read in a snapshot taken with them held (a block, an unblock, a follow run again after
 * a block or an unblock committed while it waited: ./relations.ts, ./follows.ts).
 */
export async function lockUsers(db: Database, ids: number[]): Promise<void> {
  await db.execute(sql`select id from users where id = any(${sql.param(ids)}::bigint[]) order by id for no key update`);
}
