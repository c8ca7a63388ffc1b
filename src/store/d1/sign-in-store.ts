/** D1's `SignInStore`: a session or a two-factor challenge in one batch, and a sign-in's bookkeeping. */
import { and, eq, sql } from "drizzle-orm";
import type { SignInStore } from "../sign-in";
import type { Database } from "./client";
import { mfaChallenges } from "./mfa-schema";
import { users } from "./schema";
import { finishSignIn, startFamilyFor } from "./token-families";

export function d1SignInStore(db: Database): SignInStore {
  return {
    /**
     * Both inserts read `users.mfa_enabled` themselves, in one batch (one transaction): exactly one
     * of them can insert, whatever a concurrent setup or disable does.
     */
    async start(userId, session, challenge, now) {
      if (!challenge) {
        const started = await startFamilyFor(db, userId, session, now).run();
        return started.meta.changes > 0 ? "session" : "inactive";
      }
      const [started, challenged] = await db.batch([
        startFamilyFor(db, userId, session, now, eq(users.mfaEnabled, false)),
        db.insert(mfaChallenges).select(
          db
            .select({
              tokenHash: sql`${challenge.tokenHash}`.as("token_hash"),
              userId: users.id,
              method: sql`${challenge.method}`.as("method"),
              createdAt: sql`${now}`.as("created_at"),
              expiresAt: sql`${challenge.expiresAt.getTime()}`.as("expires_at"),
              sessionId: sql`null`.as("session_id"),
            })
            .from(users)
            .where(and(eq(users.id, userId), eq(users.isActive, true), eq(users.mfaEnabled, true))),
        ),
      ]);
      if (started.meta.changes > 0) return "session";
      return challenged.meta.changes > 0 ? "mfa" : "inactive";
    },
    finish: (userId, bookkeeping, now) => finishSignIn(db, userId, bookkeeping, now),
  };
}
