/** Data access for users. Knows Drizzle and D1, not HTTP. */
import { and, asc, count, eq, ne, or, sql } from "drizzle-orm";
import { selectCaller } from "./caller";
import type { Database } from "./client";
import { isFollowedBy } from "./follows";
import { type ThrottleRule, reserveSlots, windowCounts } from "./throttle";
import { revokeAllFamiliesOf } from "./token-families";
import { type NewUserRow, type UserRow, users } from "./schema";
import { type UniqueField, orTakenField } from "./unique-violation";
import { sameEmail, sameUsername } from "./user-match";


function conflictsQuery(db: Database, wanted: { username?: string; email?: string }, exceptId = 0) {
  const matches = [
    wanted.username === undefined ? undefined : sameUsername(wanted.username),
    wanted.email === undefined || wanted.email === "" ? undefined : sameEmail(wanted.email),
  ].filter((condition) => condition !== undefined);
  return db
    .select({ username: users.username, email: users.email })
    .from(users)
    .where(and(ne(users.id, exceptId), matches.length > 0 ? or(...matches) : sql`0`));
}

/** Which of `wanted`'s unique fields another user already holds. */
function takenFields(rows: { username: string; email: string }[], wanted: { username?: string; email?: string }) {
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
    conflictsQuery(db, wanted),
  ]);
  return { throttled: reserved.length === 0, counts, taken: takenFields(holders, wanted) };
}

export type InsertResult = { id: number } | { taken: UniqueField };

/** Inserts a user; a unique index refusing it (a lost race) is reported, not thrown. */
export function insertUser(db: Database, user: NewUserRow): Promise<InsertResult> {
  return orTakenField(async () => {
    const [row] = await db.insert(users).values(user).returning({ id: users.id });
    return { id: row!.id };
  });
}

/** The account a login names (case-insensitively), as a statement to batch with the throttle check. */
export function userForLogin(db: Database, username: string) {
  return db
    .select({ id: users.id, password: users.password, isActive: users.isActive })
    .from(users)
    .where(sameUsername(username));
}

const userById = (db: Database, id: number) => db.select().from(users).where(eq(users.id, id));

export async function findUser(db: Database, id: number): Promise<UserRow | undefined> {
  const [row] = await userById(db, id);
  return row;
}

export type ProfileChanges = Partial<Pick<UserRow, "username" | "email" | "firstName" | "lastName" | "bio" | "profilePicture">>;

/** The caller and any other holders of the username/email they want, in one round trip. */
export async function loadProfileUpdate(db: Database, id: number, changes: ProfileChanges) {
  const [[caller], holders] = await db.batch([userById(db, id), conflictsQuery(db, changes, id)]);
  return { caller, taken: takenFields(holders, changes) };
}

export type UpdateResult = { user: UserRow; previousPicture: string | null } | { taken: UniqueField } | { missing: true };

/** Updates the caller's row; reports the picture key it held just before (same transaction). */
export function updateProfile(db: Database, id: number, changes: ProfileChanges): Promise<UpdateResult> {
  return orTakenField(async () => {
    const [[before], [row]] = await db.batch([
      db.select({ profilePicture: users.profilePicture }).from(users).where(eq(users.id, id)),
      db
        .update(users)
        .set(changes)
        .where(and(eq(users.id, id), eq(users.isActive, true)))
        .returning(),
    ]);
    return row ? { user: row, previousPicture: before?.profilePicture ?? null } : { missing: true as const };
  });
}

/** `%` and `_` in a search term are literal, as Django's icontains makes them. */
const containsPattern = (term: string) => `%${term.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;

/** One page of the admin list (ordered by id) with the total, and the caller, in one round trip. */
export async function listUsersPage(db: Database, callerId: number, search: string | undefined, offset: number, limit: number) {
  const pattern = search ? containsPattern(search) : undefined;
  // LIKE is case-insensitive for ASCII in SQLite, as Django's icontains is there.
  const escaped = pattern
    ? sql`(${users.username} LIKE ${pattern} ESCAPE '\\' OR ${users.email} LIKE ${pattern} ESCAPE '\\')`
    : undefined;
  const [[caller], [total], rows] = await db.batch([
    selectCaller(db, callerId),
    db.select({ count: count() }).from(users).where(escaped),
    db.select().from(users).where(escaped).orderBy(asc(users.id)).limit(limit).offset(offset),
  ]);
  return { caller, count: total?.count ?? 0, rows };
}

/** One user as the caller sees them (with `is_following`), and the caller, in one round trip. */
export async function findUserSeenBy(db: Database, callerId: number, id: number) {
  const [[caller], [target]] = await db.batch([
    selectCaller(db, callerId),
    db
      .select({
        user: users,
        isFollowing: isFollowedBy(db, callerId, users.id),
      })
      .from(users)
      .where(eq(users.id, id)),
  ]);
  return { caller, target };
}

/**
 * Replaces the password hash, provided it is still `expectedHash` (two concurrent changes
 * cannot both win), and revokes every refresh-token family of the user in the same batch.
 */
export async function changePassword(db: Database, id: number, expectedHash: string, newHash: string) {
  const [updated, revoked] = await db.batch([
    db
      .update(users)
      .set({ password: newHash })
      .where(and(eq(users.id, id), eq(users.password, expectedHash), eq(users.isActive, true)))
      .returning({ id: users.id }),
    revokeAllFamiliesOf(db, id),
  ]);
  return { changed: updated.length > 0, revoked };
}
