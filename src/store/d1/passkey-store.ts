/**
 * D1's passkey storage: the caller's passkeys (behind the caller's guard) and discoverable login.
 * Each write that uses a challenge is one batch (one transaction): its statements that act are
 * conditioned on the challenge being live, and the batch deletes it, so of racing requests with
 * one challenge exactly one acts.
 */
import { type SQL, and, asc, count, eq, exists, gt, inArray, lt, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/sqlite-core";
import type { CallerPasskeyStore, PasskeyRow, PasskeyStore } from "../passkeys";
import type { CallerScope } from "./caller-scope";
import type { Database } from "./client";
import { passkeyChallenges, passkeys } from "./passkeys-schema";
import { tokenFamilies, users } from "./schema";
import { keepsAWayToSignIn } from "./sign-in-methods";
import { startFamilyFor } from "./token-families";

/** Expired challenges each anonymous `login/options/` deletes: anyone may ask for challenges, so the table never holds many more than the last 5 minutes' (the cron deletes the rest). */
const SWEEP = 2;

const REGISTRATION = "registration";
const LOGIN = "login";

const rowColumns = { id: passkeys.id, name: passkeys.name, createdAt: passkeys.createdAt, lastUsedAt: passkeys.lastUsedAt };

/** SQL: `challenge` is a live login challenge. */
function liveLoginChallenge(db: Database, challenge: string, now: number): SQL {
  const c = alias(passkeyChallenges, "live_challenge");
  return exists(db.select({ one: sql`1` }).from(c).where(and(eq(c.challenge, challenge), eq(c.purpose, LOGIN), gt(c.expiresAt, new Date(now)))));
}

/** The statement that sets user `userId`'s passkey count to what the passkeys table holds (after the batch's insert or delete). */
const recount = (db: Database, userId: number) =>
  db
    .update(users)
    .set({ passkeyCount: sql`(select count(*) from ${passkeys} where ${passkeys.userId} = ${userId})` })
    .where(eq(users.id, userId));

export function d1CallerPasskeyStore(db: Database, scope: CallerScope): CallerPasskeyStore {
  const id = scope.id;
  return {
    async list() {
      const { caller, results: [rows] } = await scope.batch([db.select(rowColumns).from(passkeys).where(eq(passkeys.userId, id)).orderBy(asc(passkeys.id))]);
      return { caller, passkeys: rows };
    },

    async beginRegistration({ challenge, expiresAt, newHandle }) {
      // The user handle of the caller's passkeys, so one authenticator never holds two credentials for one account.
      const handle = sql`coalesce((select ${passkeys.userHandle} from ${passkeys} where ${passkeys.userId} = ${id} limit 1), ${newHandle})`;
      const { caller, results: [[kept], excluded] } = await scope.batch([
        db
          .insert(passkeyChallenges)
          .select(
            db
              .select({
                challenge: sql`${challenge}`.as("challenge"),
                purpose: sql`${REGISTRATION}`.as("purpose"),
                userId: sql`${id}`.as("user_id"),
                userHandle: handle.as("user_handle"),
                expiresAt: sql`${expiresAt.getTime()}`.as("expires_at"),
              })
              .from(sql`(select 1)`),
          )
          .returning({ userHandle: passkeyChallenges.userHandle }),
        db.select({ credentialId: passkeys.credentialId, transports: passkeys.transports }).from(passkeys).where(eq(passkeys.userId, id)),
      ]);
      return {
        caller,
        userHandle: kept!.userHandle!,
        excluded: excluded.map((row) => ({ credentialId: row.credentialId, transports: JSON.parse(row.transports) as string[] })),
      };
    },

    async register(challenge, passkey, now) {
      const c = passkeyChallenges;
      const { caller, results: [inserted] } = await scope.batch([
        db
          .insert(passkeys)
          .select(
            db
              .select({
                id: sql`null`.as("id"),
                userId: c.userId,
                credentialId: sql`${passkey.credentialId}`.as("credential_id"),
                publicKey: sql`${passkey.publicKey}`.as("public_key"),
                counter: sql`${passkey.counter}`.as("counter"),
                transports: sql`${JSON.stringify(passkey.transports)}`.as("transports"),
                userHandle: c.userHandle,
                name: sql`${passkey.name}`.as("name"),
                createdAt: sql`${now}`.as("created_at"),
                lastUsedAt: sql`null`.as("last_used_at"),
              })
              .from(c)
              .where(and(eq(c.challenge, challenge), eq(c.purpose, REGISTRATION), eq(c.userId, id), gt(c.expiresAt, new Date(now)))),
          )
          .onConflictDoNothing({ target: passkeys.credentialId })
          .returning(rowColumns),
        db.delete(c).where(and(eq(c.challenge, challenge), eq(c.purpose, REGISTRATION), eq(c.userId, id))),
        recount(db, id),
      ]);
      return { caller, passkey: inserted[0] as PasskeyRow | undefined };
    },

    async delete(passkeyId) {
      const { caller, results: [deleted, , [left]] } = await scope.batch([
        db
          .delete(passkeys)
          .where(and(eq(passkeys.id, passkeyId), eq(passkeys.userId, id), keepsAWayToSignIn(db, id, { passkeyId })))
          .returning({ id: passkeys.id }),
        recount(db, id),
        db.select({ n: count() }).from(passkeys).where(and(eq(passkeys.id, passkeyId), eq(passkeys.userId, id))),
      ]);
      if (deleted.length > 0) return { caller, outcome: "deleted" };
      return { caller, outcome: (left?.n ?? 0) > 0 ? "last" : "unknown" };
    },
  };
}

export function d1PasskeyStore(db: Database): PasskeyStore {
  return {
    async beginLogin({ challenge, expiresAt }, now) {
      const expired = db
        .select({ challenge: passkeyChallenges.challenge })
        .from(passkeyChallenges)
        .where(lt(passkeyChallenges.expiresAt, new Date(now)))
        .orderBy(asc(passkeyChallenges.expiresAt))
        .limit(SWEEP);
      await db.batch([
        db.delete(passkeyChallenges).where(inArray(passkeyChallenges.challenge, expired)),
        db.insert(passkeyChallenges).values({ challenge, purpose: LOGIN, userId: null, userHandle: null, expiresAt }),
      ]);
    },

    async credential(credentialId) {
      const [row] = await db
        .select({
          id: passkeys.id,
          userId: passkeys.userId,
          credentialId: passkeys.credentialId,
          publicKey: passkeys.publicKey,
          counter: passkeys.counter,
          userHandle: passkeys.userHandle,
          userActive: users.isActive,
        })
        .from(passkeys)
        .innerJoin(users, eq(users.id, passkeys.userId))
        .where(eq(passkeys.credentialId, credentialId));
      return row;
    },

    /**
     * One batch: the session starts only while the challenge is live and the counter is still the
     * one checked; the counter moves only when this request's session (its id marks it) started;
     * then the challenge is deleted whatever happened.
     */
    async login({ challenge, passkeyId, userId, counter, session }, now) {
      const unchanged = exists(
        db.select({ one: sql`1` }).from(passkeys).where(and(eq(passkeys.id, passkeyId), eq(passkeys.userId, userId), eq(passkeys.counter, counter.from))),
      );
      const started = exists(db.select({ one: sql`1` }).from(tokenFamilies).where(eq(tokenFamilies.id, session.id)));
      const [inserted, , spent, [user]] = await db.batch([
        startFamilyFor(db, userId, session, now, and(liveLoginChallenge(db, challenge, now), unchanged)),
        db
          .update(passkeys)
          .set({ counter: counter.to, lastUsedAt: new Date(now) })
          .where(and(eq(passkeys.id, passkeyId), started)),
        db
          .delete(passkeyChallenges)
          .where(and(eq(passkeyChallenges.challenge, challenge), eq(passkeyChallenges.purpose, LOGIN)))
          .returning({ expiresAt: passkeyChallenges.expiresAt }),
        db.select({ isActive: users.isActive }).from(users).where(eq(users.id, userId)),
      ]);
      if (inserted.meta.changes > 0) return "signed_in";
      if (spent.length === 0 || spent[0]!.expiresAt.getTime() <= now) return "challenge";
      return user?.isActive ? "counter" : "inactive";
    },
  };
}
