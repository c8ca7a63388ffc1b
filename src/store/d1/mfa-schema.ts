/**
 * The two-factor tables on D1 (API.md "Two-factor"): each user's TOTP secret, their recovery codes
 * and the `mfa_token`s of sign-ins waiting for their code. The switch itself is `users.mfa_enabled`
 * (./schema.ts), changed in the same batches. No secret is kept in the clear: the TOTP secret is
 * encrypted (src/auth/mfa/secret-box.ts), codes and tokens are kept as keyed hashes.
 */
import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { users } from "./schema";

const moment = (name: string) => integer(name, { mode: "timestamp_ms" });
const userRef = (name: string) =>
  integer(name)
    .notNull()
    .references(() => users.id, { onDelete: "cascade" });

/** One row per user who has begun a setup: the secret in use (while two-factor is on) and a setup's new one. */
export const totpFactors = sqliteTable("totp_factors", {
  userId: userRef("user_id").primaryKey(),
  /** The secret in use, encrypted; null until a setup is confirmed. */
  secret: text("secret"),
  /** A setup's new secret, encrypted, waiting for its confirmation (it replaces `secret` then). */
  pendingSecret: text("pending_secret"),
  /**
   * The last 30-second step whose code was accepted: a code of that step or an earlier one is
   * refused, in the same write that accepts one (so each code works once, even between racing requests).
   */
  lastStep: integer("last_step").notNull().default(0),
});

/** Ten per user while two-factor is on; a code used is deleted. */
export const mfaRecoveryCodes = sqliteTable(
  "mfa_recovery_codes",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    userId: userRef("user_id"),
    /** A keyed hash of the code (src/auth/mfa/codes.ts). */
    codeHash: text("code_hash").notNull(),
  },
  (t) => [index("mfa_recovery_codes_user_code").on(t.userId, t.codeHash)],
);

/** A sign-in waiting for its second factor: the `mfa_token` (hashed), single use, 5 minutes. */
export const mfaChallenges = sqliteTable(
  "mfa_challenges",
  {
    tokenHash: text("token_hash").primaryKey(),
    userId: userRef("user_id"),
    /** The first factor: "password" or "social". */
    method: text("method").notNull(),
    createdAt: moment("created_at").notNull(),
    expiresAt: moment("expires_at").notNull(),
    /** The session the verification that spent it started: set once, which is what spends it. */
    sessionId: text("session_id"),
  },
  (t) => [index("mfa_challenges_user").on(t.userId), index("mfa_challenges_expiry").on(t.expiresAt)],
);
