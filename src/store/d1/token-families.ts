/**
 * Data access for refresh-token families. D1 is the source of truth for single use: each
 * refresh is one batch whose conditional UPDATE succeeds for exactly one request per token.
 */
import { type SQL, and, desc, eq, exists, gt, inArray, isNull, lt, ne, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { activeUser } from "./caller";
import type { Database } from "./client";
import { tokenFamilies, throttleEvents, users } from "./schema";
import { releaseSlots, rememberAddress } from "./throttle";
import { sameUsername } from "./user-match";
import type { EndedSession, NewSession, RotateOutcome, SessionState } from "../rows";
import type { SignInBookkeeping } from "../sign-in";


/**
 * The statement that starts a login's family, batched with the credential lookup before the
 * password is even checked (so a successful login costs one round trip): it inserts only for an
 * active user of that name whose throttle slot was just reserved (`reservation`). A failed
 * check deletes the row again, after the response.
 */
export function startFamilyForLogin(
  db: Database,
  family: NewSession & { username: string },
  reservation: { key: string; at: number },
) {
  const reserved = db
    .select({ id: throttleEvents.id })
    .from(throttleEvents)
    .where(and(eq(throttleEvents.key, reservation.key), eq(throttleEvents.at, reservation.at)));
  return db.insert(tokenFamilies).select(
    db
      .select({
        id: sql`${family.id}`.as("id"),
        userId: users.id,
        currentJti: sql`${family.jti}`.as("current_jti"),
        createdAt: sql`${reservation.at}`.as("created_at"),
        expiresAt: sql`${family.expiresAt.getTime()}`.as("expires_at"),
        revokedAt: sql`null`.as("revoked_at"),
        previousJti: sql`null`.as("previous_jti"),
        rotatedAt: sql`null`.as("rotated_at"),
        rotatedBy: sql`null`.as("rotated_by"),
        lastUsedAt: sql`${reservation.at}`.as("last_used_at"),
        userAgent: sql`${family.userAgent}`.as("user_agent"),
      })
      .from(users)
      // Two-factor on: no session before the second step (src/auth/sign-in.ts stores its challenge instead).
      .where(and(sameUsername(family.username), eq(users.isActive, true), eq(users.mfaEnabled, false), exists(reserved))),
  );
}

/**
 * The statement that starts a session for user `userId` known by other means than a password (a
 * provider, a passkey, a second factor), only while they are active and `permitted` (SQL) holds.
 */
export function startFamilyFor(db: Database, userId: number, family: NewSession, at: number, permitted?: SQL) {
  return db.insert(tokenFamilies).select(
    db
      .select({
        id: sql`${family.id}`.as("id"),
        userId: users.id,
        currentJti: sql`${family.jti}`.as("current_jti"),
        createdAt: sql`${at}`.as("created_at"),
        expiresAt: sql`${family.expiresAt.getTime()}`.as("expires_at"),
        revokedAt: sql`null`.as("revoked_at"),
        previousJti: sql`null`.as("previous_jti"),
        rotatedAt: sql`null`.as("rotated_at"),
        rotatedBy: sql`null`.as("rotated_by"),
        lastUsedAt: sql`${at}`.as("last_used_at"),
        userAgent: sql`${family.userAgent}`.as("user_agent"),
      })
      .from(users)
      .where(and(eq(users.id, userId), eq(users.isActive, true), permitted)),
  );
}

/**
 * After a step that proved something: the throttle slots given back, an upgraded hash only while
 * the row still holds the hash the login checked (a password changed or reset since then stays:
 * the comparison is in the update, so nothing can land between them), and, for a completed
 * sign-in, last_login and the address known.
 */
export async function finishSignIn(db: Database, userId: number, extra: SignInBookkeeping, now: number) {
  const upgrade = extra.upgradedHash;
  const from = extra.signedInFrom;
  const changes = {
    ...(from === undefined ? {} : { lastLogin: new Date(now) }),
    ...(upgrade ? { password: sql`case when ${users.password} = ${upgrade.from} then ${upgrade.to} else ${users.password} end` } : {}),
  };
  const statements: BatchItem<"sqlite">[] = [releaseSlots(db, extra.releaseSlots)];
  if (from !== undefined) statements.push(rememberAddress(db, userId, from, now));
  if (Object.keys(changes).length > 0) statements.push(db.update(users).set(changes).where(eq(users.id, userId)));
  await db.batch(statements as unknown as [BatchItem<"sqlite">]);
}

/** After a failed password check: the family started speculatively is removed. */
export async function discardFamily(db: Database, familyId: string) {
  await db.delete(tokenFamilies).where(eq(tokenFamilies.id, familyId));
}

/**
 * SQL: `jti` is not the token this family's current one replaced less than `graceMs` ago by this
 * same `client` (a family never rotated has no previous token, nor a rotating client: coalesce,
 * or NULL would hide every reuse). Anyone else presenting it within the grace is reuse.
 */
const outsideGrace = (jti: string, now: Date, graceMs: number, client: string) =>
  sql`not coalesce(${and(eq(tokenFamilies.previousJti, jti), gt(tokenFamilies.rotatedAt, new Date(now.getTime() - graceMs)), eq(tokenFamilies.rotatedBy, client))}, 0)`;

/**
 * Replaces `oldJti` by `newJti` in family `familyId` if, and only if, `oldJti` is still its
 * current token, the family is live and its user active, and records `client` as the one that
 * rotated. A non-current token is reuse: the same batch revokes the family. D1 runs a batch as
 * one transaction, so concurrent refreshes of one token are serialised and exactly one of them rotates.
 */
export async function rotateFamily(
  db: Database,
  family: { id: string; userId: number },
  rotation: { oldJti: string; newJti: string; newExpiresAt: Date; client: string },
  graceMs: number,
  at: number,
): Promise<RotateOutcome> {
  const now = new Date(at);
  const { id: familyId, userId } = family;
  const { oldJti, newJti, newExpiresAt, client } = rotation;
  const live = and(eq(tokenFamilies.id, familyId), eq(tokenFamilies.userId, userId), isNull(tokenFamilies.revokedAt));
  const [reuse, rotated, [user], [row]] = await db.batch([
    db
      .update(tokenFamilies)
      .set({ revokedAt: now })
      .where(and(live, ne(tokenFamilies.currentJti, oldJti), outsideGrace(oldJti, now, graceMs, client)))
      .returning({ id: tokenFamilies.id, expiresAt: tokenFamilies.expiresAt }),
    db
      .update(tokenFamilies)
      .set({ currentJti: newJti, expiresAt: newExpiresAt, previousJti: oldJti, rotatedAt: now, rotatedBy: client, lastUsedAt: now })
      .where(and(live, eq(tokenFamilies.currentJti, oldJti), gt(tokenFamilies.expiresAt, now), exists(activeUser(db, userId))))
      .returning({ id: tokenFamilies.id }),
    db.select({ isActive: users.isActive }).from(users).where(eq(users.id, userId)),
    db
      .select({ id: tokenFamilies.id, expiresAt: tokenFamilies.expiresAt, revokedAt: tokenFamilies.revokedAt })
      .from(tokenFamilies)
      .where(and(eq(tokenFamilies.id, familyId), eq(tokenFamilies.userId, userId))),
  ]);
  if (rotated.length > 0) return { kind: "rotated" };
  if (reuse[0]) return { kind: "reused", session: reuse[0] };
  if (!user?.isActive) return { kind: "no_active_user" };
  if (!row) return { kind: "unknown" };
  if (row.revokedAt === null && row.expiresAt > now) return { kind: "within_grace" };
  return { kind: "revoked", session: { id: row.id, expiresAt: row.expiresAt } };
}

/** A family's row, for where a token stands in it. */
const familyRow = (db: Database, familyId: string, userId: number) =>
  db
    .select({ currentJti: tokenFamilies.currentJti, revokedAt: tokenFamilies.revokedAt, expiresAt: tokenFamilies.expiresAt })
    .from(tokenFamilies)
    .where(and(eq(tokenFamilies.id, familyId), eq(tokenFamilies.userId, userId)));

/** Where refresh token `jti` stands in its family, as it was before this request. */
function stateOf(family: { currentJti: string; revokedAt: Date | null } | undefined, jti: string): SessionState {
  if (!family) return "unknown";
  if (family.revokedAt) return "revoked";
  return family.currentJti === jti ? "current" : "not_current";
}

/**
 * Where a token stands in its session (token/verify), in one round trip: the session's row, its
 * user's state, and, for a refresh token that is no longer current (reuse, unless the same
 * client replaced it within the reuse grace), the revocation of the session in the same batch.
 * An access token (no `refresh`) stands "current" while its session is live.
 */
export async function sessionStanding(db: Database, session: { id: string; userId: number }, refresh: { jti: string; client: string } | undefined, graceMs: number, at: number) {
  const { id: sessionId, userId } = session;
  const now = new Date(at);
  const live = and(eq(tokenFamilies.id, sessionId), eq(tokenFamilies.userId, userId), isNull(tokenFamilies.revokedAt));
  const reuse = refresh === undefined ? sql`0` : and(ne(tokenFamilies.currentJti, refresh.jti), outsideGrace(refresh.jti, now, graceMs, refresh.client));
  const [[family], [user], revoked] = await db.batch([
    familyRow(db, sessionId, userId),
    db.select({ isActive: users.isActive }).from(users).where(eq(users.id, userId)),
    db
      .update(tokenFamilies)
      .set({ revokedAt: now })
      .where(and(live, reuse))
      .returning({ id: tokenFamilies.id, expiresAt: tokenFamilies.expiresAt }),
  ]);
  let state = stateOf(family, refresh?.jti ?? family?.currentJti ?? "");
  if (state === "current" && family!.expiresAt.getTime() <= at) state = "unknown";
  return { state, userActive: user?.isActive === true, ended: revoked[0] as EndedSession | undefined };
}

/**
 * Revokes one family (logout, or a reuse found outside a refresh), in one round trip: reports
 * where `jti` stood just before, and the family if this call revoked it.
 */
export async function revokeFamily(db: Database, session: { id: string; userId: number }, jti: string, at: number) {
  const { id: familyId, userId } = session;
  const [[before], [revoked]] = await db.batch([
    familyRow(db, familyId, userId),
    db
      .update(tokenFamilies)
      .set({ revokedAt: new Date(at) })
      .where(and(eq(tokenFamilies.id, familyId), eq(tokenFamilies.userId, userId), isNull(tokenFamilies.revokedAt)))
      .returning({ id: tokenFamilies.id, expiresAt: tokenFamilies.expiresAt }),
  ]);
  return { state: stateOf(before, jti), ended: revoked as EndedSession | undefined };
}

/** The statement that revokes every live family of a user (logout-all, password change). */
export function revokeAllFamiliesOf(db: Database, userId: number, permitted?: SQL) {
  return db
    .update(tokenFamilies)
    .set({ revokedAt: new Date() })
    .where(and(eq(tokenFamilies.userId, userId), isNull(tokenFamilies.revokedAt), gt(tokenFamilies.expiresAt, new Date()), permitted))
    .returning({ id: tokenFamilies.id, expiresAt: tokenFamilies.expiresAt });
}

/** The statement that revokes every live family of a user but `keep` (the session that changed the email), when `permitted` holds. */
export function revokeOtherFamiliesOf(db: Database, userId: number, keep: string | undefined, permitted?: SQL) {
  return revokeAllFamiliesOf(db, userId, and(keep === undefined ? undefined : ne(tokenFamilies.id, keep), permitted));
}

/** Deletes families whose last token has expired, `limit` rows at a time (an index range on expires_at). */
export async function deleteExpiredFamilies(db: Database, limit: number, now: number): Promise<number> {
  const expired = db
    .select({ id: tokenFamilies.id })
    .from(tokenFamilies)
    .where(lt(tokenFamilies.expiresAt, new Date(now)))
    .limit(limit);
  const deleted = await db.delete(tokenFamilies).where(inArray(tokenFamilies.id, expired)).returning({ id: tokenFamilies.id });
  return deleted.length;
}

/** The live sessions of `userId`, newest first (a statement for the caller's batch). */
export function liveSessionsOf(db: Database, userId: number, now: number) {
  return db
    .select({ id: tokenFamilies.id, createdAt: tokenFamilies.createdAt, lastUsedAt: tokenFamilies.lastUsedAt, userAgent: tokenFamilies.userAgent })
    .from(tokenFamilies)
    .where(and(eq(tokenFamilies.userId, userId), isNull(tokenFamilies.revokedAt), gt(tokenFamilies.expiresAt, new Date(now))))
    .orderBy(desc(tokenFamilies.createdAt), desc(tokenFamilies.id));
}

/** Ends session `sessionId` if it is a live session of `userId`; returns it when it did. */
export function endSession(db: Database, userId: number, sessionId: string, now: number) {
  return db
    .update(tokenFamilies)
    .set({ revokedAt: new Date(now) })
    .where(and(eq(tokenFamilies.id, sessionId), eq(tokenFamilies.userId, userId), isNull(tokenFamilies.revokedAt), gt(tokenFamilies.expiresAt, new Date(now))))
    .returning({ id: tokenFamilies.id, expiresAt: tokenFamilies.expiresAt });
}
