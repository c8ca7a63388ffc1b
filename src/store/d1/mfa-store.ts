/**
 * D1's two-factor storage: the caller's factor (behind the caller's guard) and the second step of
 * a sign-in. Every write that uses a code up is one batch whose first statement decides, and whose
 * other statements act only on what that statement marked (a secret sealed anew, a challenge spent
 * by this request's session id): of racing requests, exactly one acts.
 */
import { type SQL, and, count, eq, exists, gt, isNull, lt, not, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { CallerMfaStore, MfaProof, MfaStore } from "../mfa";
import type { CallerScope } from "./caller-scope";
import type { Database } from "./client";
import { mfaChallenges, mfaRecoveryCodes, totpFactors } from "./mfa-schema";
import { users } from "./schema";
import { reserveSlots, windowCounts, withinWindow } from "./throttle";
import { startFamilyFor } from "./token-families";

/** SQL: user `userId` is active with two-factor on. */
const mfaOn = (db: Database, userId: number) =>
  exists(db.select({ one: sql`1` }).from(users).where(and(eq(users.id, userId), eq(users.isActive, true), eq(users.mfaEnabled, true))));

/** SQL: `proof` holds for user `userId`: its step is after the last accepted of that very secret, or its recovery code is unused. */
function proofHolds(db: Database, userId: number, proof: MfaProof): SQL {
  if ("recoveryHash" in proof) {
    return exists(db.select({ one: sql`1` }).from(mfaRecoveryCodes).where(and(eq(mfaRecoveryCodes.userId, userId), eq(mfaRecoveryCodes.codeHash, proof.recoveryHash))));
  }
  return exists(
    db.select({ one: sql`1` }).from(totpFactors).where(and(eq(totpFactors.userId, userId), eq(totpFactors.secret, proof.secret), lt(totpFactors.lastStep, proof.step))),
  );
}

/** The statement that uses `proof` up, when `spent` (SQL) holds: the step recorded (and the secret sealed anew), or the recovery code deleted. */
function useProof(db: Database, userId: number, proof: MfaProof, spent: SQL): BatchItem<"sqlite"> {
  if ("recoveryHash" in proof) {
    const one = db
      .select({ id: sql`min(${mfaRecoveryCodes.id})` })
      .from(mfaRecoveryCodes)
      .where(and(eq(mfaRecoveryCodes.userId, userId), eq(mfaRecoveryCodes.codeHash, proof.recoveryHash)));
    return db.delete(mfaRecoveryCodes).where(and(sql`${mfaRecoveryCodes.id} = (${one})`, spent));
  }
  return db
    .update(totpFactors)
    .set({ lastStep: proof.step, ...(proof.resealed ? { secret: proof.resealed } : {}) })
    .where(and(eq(totpFactors.userId, userId), spent));
}

/** The statements that forget user `userId`'s two-factor data, when `when` (SQL) holds. */
export function forgetMfaStatements(db: Database, userId: number, when: SQL) {
  return [
    db.delete(totpFactors).where(and(eq(totpFactors.userId, userId), when)),
    db.delete(mfaRecoveryCodes).where(and(eq(mfaRecoveryCodes.userId, userId), when)),
    db.delete(mfaChallenges).where(and(eq(mfaChallenges.userId, userId), when)),
  ] as const;
}

/** The statement that inserts recovery codes `hashes` for user `userId`, when `when` (SQL) holds. */
function insertCodes(db: Database, userId: number, hashes: string[], when: SQL) {
  const rows = sql.join(hashes.map((hash) => sql`(${hash})`), sql`, `);
  return db.insert(mfaRecoveryCodes).select(
    db
      .select({ id: sql`null`.as("id"), userId: sql`${userId}`.as("user_id"), codeHash: sql`column1`.as("code_hash") })
      .from(sql`(values ${rows})`)
      .where(when),
  );
}

/** SQL: user `userId` has two-factor on. */
const enabled = (db: Database, userId: number) => exists(db.select({ one: sql`1` }).from(users).where(and(eq(users.id, userId), eq(users.mfaEnabled, true))));

export function d1CallerMfaStore(db: Database, scope: CallerScope): CallerMfaStore {
  const id = scope.id;
  return {
    async factor(rules, now) {
      const remaining = db.select({ n: count() }).from(mfaRecoveryCodes).where(eq(mfaRecoveryCodes.userId, id));
      const { caller, results: [[factor], counts] } = await scope.batch([
        db
          .select({ secret: totpFactors.secret, pendingSecret: totpFactors.pendingSecret, lastStep: totpFactors.lastStep, recoveryCodes: sql<number>`(${remaining})`.mapWith(Number) })
          .from(totpFactors)
          .where(eq(totpFactors.userId, id)),
        windowCounts(db, rules, now),
      ]);
      return { caller, factor, counts };
    },

    async beginSetup(pendingSecret) {
      const { caller } = await scope.batch([
        db.insert(totpFactors).values({ userId: id, pendingSecret }).onConflictDoUpdate({ target: totpFactors.userId, set: { pendingSecret } }),
      ]);
      return { caller };
    },

    async confirm({ pending, secret, step, codeHashes }) {
      // The secret sealed anew marks this confirmation: the other statements act only when it is the one in use.
      const confirmed = exists(db.select({ one: sql`1` }).from(totpFactors).where(and(eq(totpFactors.userId, id), eq(totpFactors.secret, secret))));
      const { caller, results: [changed] } = await scope.batch([
        db
          .update(totpFactors)
          .set({ secret, pendingSecret: null, lastStep: step })
          .where(and(eq(totpFactors.userId, id), eq(totpFactors.pendingSecret, pending)))
          .returning({ userId: totpFactors.userId }),
        db.delete(mfaRecoveryCodes).where(and(eq(mfaRecoveryCodes.userId, id), confirmed)),
        insertCodes(db, id, codeHashes, confirmed),
        db.update(users).set({ mfaEnabled: true }).where(and(eq(users.id, id), confirmed)),
      ]);
      return { caller, confirmed: changed.length > 0 };
    },

    async replaceRecoveryCodes(codeHashes) {
      const { caller, results: [, , [user]] } = await scope.batch([
        db.delete(mfaRecoveryCodes).where(and(eq(mfaRecoveryCodes.userId, id), enabled(db, id))),
        insertCodes(db, id, codeHashes, enabled(db, id)),
        db.select({ mfaEnabled: users.mfaEnabled }).from(users).where(eq(users.id, id)),
      ]);
      return { caller, replaced: user?.mfaEnabled === true };
    },

    async disable(proof) {
      const off = not(enabled(db, id));
      const { caller, results: [changed] } = await scope.batch([
        db
          .update(users)
          .set({ mfaEnabled: false })
          .where(and(eq(users.id, id), eq(users.mfaEnabled, true), proofHolds(db, id, proof)))
          .returning({ id: users.id }),
        ...forgetMfaStatements(db, id, off),
      ]);
      return { caller, disabled: changed.length > 0 };
    },
  };
}

export function d1MfaStore(db: Database): MfaStore {
  return {
    async challenge(tokenHash, now) {
      const [row] = await db
        .select({ userId: mfaChallenges.userId, secret: totpFactors.secret, lastStep: totpFactors.lastStep })
        .from(mfaChallenges)
        .innerJoin(users, eq(users.id, mfaChallenges.userId))
        .leftJoin(totpFactors, eq(totpFactors.userId, mfaChallenges.userId))
        .where(
          and(eq(mfaChallenges.tokenHash, tokenHash), isNull(mfaChallenges.sessionId), gt(mfaChallenges.expiresAt, new Date(now)), eq(users.isActive, true), eq(users.mfaEnabled, true)),
        );
      if (!row) return undefined;
      return { userId: row.userId, secret: row.secret, lastStep: row.lastStep ?? 0 };
    },

    async answer({ tokenHash, userId }, proof, session, rules, now) {
      if (!proof) {
        const [slots, counts] = await db.batch([reserveSlots(db, rules, now), windowCounts(db, rules, now)]);
        return slots.length > 0 ? { outcome: "wrong" } : { outcome: "throttled", counts };
      }
      const challenge = and(eq(mfaChallenges.tokenHash, tokenHash), eq(mfaChallenges.userId, userId));
      // The session id marks the challenge as spent by this request: what the other statements act on.
      const spent = exists(db.select({ one: sql`1` }).from(mfaChallenges).where(and(challenge, eq(mfaChallenges.sessionId, session.id))));
      const underLimit = and(...rules.map((rule) => withinWindow(db, rule, now)));
      const [, , , [after], counts] = await db.batch([
        db
          .update(mfaChallenges)
          .set({ sessionId: session.id })
          .where(and(challenge, isNull(mfaChallenges.sessionId), gt(mfaChallenges.expiresAt, new Date(now)), underLimit, mfaOn(db, userId), proofHolds(db, userId, proof))),
        useProof(db, userId, proof, spent),
        startFamilyFor(db, userId, session, now, spent),
        db
          .select({ sessionId: mfaChallenges.sessionId, expiresAt: mfaChallenges.expiresAt, usable: sql<number>`${mfaOn(db, userId)}` })
          .from(mfaChallenges)
          .where(challenge),
        windowCounts(db, rules, now),
      ] as unknown as [BatchItem<"sqlite">, BatchItem<"sqlite">, BatchItem<"sqlite">, BatchItem<"sqlite">, BatchItem<"sqlite">]) as unknown as [
        unknown,
        unknown,
        unknown,
        { sessionId: string | null; expiresAt: Date; usable: number }[],
        { key: string; attempts: number; oldest: number | null }[],
      ];
      if (after?.sessionId === session.id) return { outcome: "signed_in" };
      if (!after || after.sessionId !== null || after.expiresAt.getTime() <= now || !after.usable) return { outcome: "spent" };
      const over = rules.some((rule) => (counts.find((entry) => entry.key === rule.key)?.attempts ?? 0) >= rule.limit);
      return over ? { outcome: "throttled", counts } : { outcome: "refused" };
    },
  };
}
