/** Data access for users: statements and small queries over the users table. Knows Drizzle and D1, not HTTP. */
import { type SQL, and, asc, count, eq, exists, getTableColumns, ne, or, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { callerIsStaff } from "./caller";
import type { Database } from "./client";
import { isFollowedBy } from "./follows";
import type { MailAccount, ThrottleRule } from "../throttle";
import type { AdminChanges } from "../store";
import { reserveSlots, windowCounts } from "./throttle";
import type { ProfileChanges, UniqueField } from "../rows";
import { type NewUserRow, users } from "./schema";
import { socialProvidersOf } from "./sign-in-methods";
import { orTakenField } from "./unique-violation";
import { sameEmail, sameUsername } from "./user-match";

/** Other users holding the wanted username or email (case-insensitively). */
export function uniqueHolders(db: Database, wanted: { username?: string; email?: string }, exceptId = 0) {
  const matches = [
    wanted.username === undefined ? undefined : sameUsername(wanted.username),
    wanted.email === undefined || wanted.email === "" ? undefined : sameEmail(wanted.email),
  ].filter((condition) => condition !== undefined);
  return db
    .select({ username: users.username, email: users.email })
    .from(users)
    .where(and(ne(users.id, exceptId), matches.length > 0 ? or(...matches) : sql`0`));
}

/** Which of `wanted`'s unique fields the rows of `uniqueHolders` hold. */
export function takenFields(rows: { username: string; email: string }[], wanted: { username?: string; email?: string }) {
  const taken = new Set<UniqueField>();
  for (const row of rows) {
    if (wanted.username !== undefined && row.username.toLowerCase() === wanted.username.toLowerCase()) taken.add("username");
    if (wanted.email && row.email.toLowerCase() === wanted.email.toLowerCase()) taken.add("email");
  }
  return taken;
}

/**
 * Reserves a throttle slot and looks for holders of the wanted username/email, in one round trip.
 * Usernames and emails compare case-insensitively (ASCII letters, as SQLite's lower() folds them).
 */
export async function checkRegistration(db: Database, wanted: { username: string; email: string }, throttle: ThrottleRule[], now: number) {
  const [reserved, counts, holders] = await db.batch([
    reserveSlots(db, throttle, now),
    windowCounts(db, throttle, now),
    uniqueHolders(db, wanted),
  ]);
  return { throttled: reserved.length === 0, counts, taken: takenFields(holders, wanted) };
}

export type InsertResult = { id: number } | { taken: UniqueField };

/**
 * Inserts a user, with `alongside` statements in the same batch (after the insert, so they can
 * find the new row); a unique index refusing it (a lost race) is reported, not thrown, and then
 * none of them is applied.
 */
export function insertUser(db: Database, user: NewUserRow, alongside: BatchItem<"sqlite">[] = []): Promise<InsertResult> {
  return orTakenField(async () => {
    const insert = db.insert(users).values(user).returning({ id: users.id });
    const [[row]] = (await db.batch([insert, ...alongside] as unknown as [typeof insert])) as [{ id: number }[]];
    return { id: row!.id };
  });
}

/** The account a login names (case-insensitively), as a statement to batch with the throttle check. */
export function userForLogin(db: Database, username: string) {
  return db
    .select({ id: users.id, password: users.password, isActive: users.isActive, emailVerified: users.emailVerified, mfaEnabled: users.mfaEnabled })
    .from(users)
    .where(sameUsername(username));
}


/** Applies profile changes to user `id`, returning the new row. */
export const profileUpdate = (db: Database, id: number, changes: ProfileChanges) =>
  db.update(users).set(changes).where(eq(users.id, id)).returning();

/**
 * One page of the admin list (ordered by id) and its total, as statements for the caller's batch.
 * Both are gated on "the caller is staff" so that a non-staff caller costs no scan: the count is
 * computed only inside the gate's CASE, and the page reads users through a one-row gate table
 * that is empty for anyone else (SQLite keeps a CROSS JOIN's left table as the outer loop).
 */
export function usersPage(db: Database, callerId: number, search: string | undefined, offset: number, limit: number) {
  // instr() matches the text literally (`%`, `_` and `\` are ordinary characters), and unlike
  // LIKE it has no pattern-complexity limit (D1 refuses LIKE patterns over 50 bytes with a 500).
  // lower() folds ASCII letters, as LIKE and Django's icontains do on SQLite.
  const matches = search
    ? sql`(instr(lower(${users.username}), lower(${search})) > 0 OR instr(lower(${users.email}), lower(${search})) > 0)`
    : undefined;
  const staff = callerIsStaff(db, callerId);
  // Without a search the count stays a bare `count(*)`, which SQLite answers from the b-tree.
  const total = db.select({ count: count() }).from(users).where(matches);
  const gate = db.select({ open: sql`1`.as("open") }).from(sql`(select 1)`).where(staff).as("staff_gate");
  return [
    db.select({ count: sql<number>`case when ${staff} then (${total}) else 0 end`.mapWith(Number) }).from(sql`(select 1)`),
    db.select(adminUserColumns(db)).from(gate).crossJoin(users).where(matches).orderBy(asc(users.id)).limit(limit).offset(offset),
  ] as const;
}

/** The users columns and the user's social providers: an `AdminUserRow` (a subquery per row read, so a page costs O(page)). */
const adminUserColumns = (db: Database) => ({ ...getTableColumns(users), socialProviders: socialProvidersOf(db, users.id) });

/** One user as `callerId` sees them (with `is_following`, and their social providers for the admin shape). */
export function userSeenBy(db: Database, callerId: number, id: number) {
  return db.select({ user: adminUserColumns(db), isFollowing: isFollowedBy(db, callerId, users.id) }).from(users).where(eq(users.id, id));
}

/** Replaces the password hash, provided it is still `expectedHash` (two concurrent changes cannot both win). */
export function passwordUpdate(db: Database, id: number, expectedHash: string, newHash: string) {
  return db
    .update(users)
    .set({ password: newHash })
    .where(and(eq(users.id, id), eq(users.password, expectedHash)))
    .returning({ id: users.id });
}

/** User `id`, if there is one (a statement for a batch: tells an unknown user from a refused change). */
export const knownUser = (db: Database, id: number) => db.select({ id: users.id }).from(users).where(eq(users.id, id));

/** An admin's change of user `id` (absent flags unchanged), only when `permitted` (SQL) holds: the new row with their social providers, or none. */
export function adminUserUpdate(db: Database, id: number, changes: AdminChanges, permitted: SQL) {
  const set = Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined));
  // An empty change still reads the row back (so an unknown id is told apart).
  return db.update(users).set(Object.keys(set).length > 0 ? set : { id }).where(and(eq(users.id, id), permitted)).returning(adminUserColumns(db));
}

/** SQL: the active user holding `email` (case-insensitively): whom a password reset mails. */
export const activeHolderOf = (email: string) => and(sameEmail(email), eq(users.isActive, true))!;

/** SQL: the unverified active user holding `email`: whom a new verification mail goes to. */
export const unverifiedHolderOf = (email: string) => and(activeHolderOf(email), eq(users.emailVerified, false))!;

/** SQL on `users`: the account a mail is for. */
export function accountCondition(account: MailAccount): SQL {
  if ("holderOf" in account) return account.unverified ? unverifiedHolderOf(account.holderOf) : activeHolderOf(account.holderOf);
  const { id, holding, pending } = account;
  return and(eq(users.id, id), holding === undefined ? undefined : sameEmail(holding), pending === undefined ? undefined : pendingIs(pending))!;
}

/** SQL: user `id`, while `pending` is still their pending address (an email change not yet confirmed). */
export const pendingFor = (id: number, pending: string) => and(eq(users.id, id), pendingIs(pending))!;

/** SQL: the pending address is `pending` (case-insensitively). */
const pendingIs = (pending: string) => sql`lower(${users.pendingEmail}) = lower(${pending})`;

/** SQL for statements of other tables: `pending` is still user `id`'s pending address. */
export const stillPending = (db: Database, id: number, pending: string) => exists(db.select({ one: sql`1` }).from(users).where(pendingFor(id, pending)));

/** The active user holding `email`, for a password-reset request. */
export function activeUserByEmail(db: Database, email: string) {
  return db
    .select({ id: users.id, username: users.username, password: users.password, lastLogin: users.lastLogin, email: users.email })
    .from(users)
    .where(activeHolderOf(email));
}

/** An unverified active user holding `email`, for a new verification mail. */
export function unverifiedUserByEmail(db: Database, email: string) {
  return db.select({ id: users.id, username: users.username, email: users.email }).from(users).where(unverifiedHolderOf(email));
}

/** Marks `email` verified for user `id`, if it is still their address. */
export function markEmailVerified(db: Database, id: number, email: string) {
  return db
    .update(users)
    .set({ emailVerified: true })
    .where(and(eq(users.id, id), sql`lower(${users.email}) = lower(${email})`))
    .returning({ id: users.id });
}

/** Makes the confirmed pending address the user's email (a unique index may still refuse it). */
export function confirmPendingEmail(db: Database, id: number, pending: string) {
  return db.update(users).set({ email: pending, pendingEmail: null, emailVerified: true }).where(pendingFor(id, pending)).returning({ id: users.id });
}

/** The active user `id`, for a password-reset confirmation or an email verification. */
export function activeUserById(db: Database, id: number) {
  return db
    .select({ id: users.id, username: users.username, password: users.password, lastLogin: users.lastLogin, email: users.email, pendingEmail: users.pendingEmail, firstName: users.firstName, lastName: users.lastName })
    .from(users)
    .where(and(eq(users.id, id), eq(users.isActive, true)));
}

/** A reset: the new hash (only over the hash the token was checked against), and the address counts as verified. */
export function passwordReset(db: Database, id: number, expectedHash: string, newHash: string) {
  return db
    .update(users)
    .set({ password: newHash, emailVerified: true })
    .where(and(eq(users.id, id), eq(users.password, expectedHash), eq(users.isActive, true)))
    .returning({ id: users.id });
}
