/** The two-factor tables on PostgreSQL: the same tables and columns as D1's (src/store/d1/mfa-schema.ts), in PostgreSQL's types. */
import { bigint, index, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { users } from "./schema";

const moment = (name: string) => timestamp(name, { withTimezone: true, precision: 3, mode: "date" });
const userRef = (name: string) =>
  bigint(name, { mode: "number" })
    .notNull()
    .references(() => users.id, { onDelete: "cascade" });

export const totpFactors = pgTable("totp_factors", {
  userId: userRef("user_id").primaryKey(),
  secret: text("secret"),
  pendingSecret: text("pending_secret"),
  lastStep: bigint("last_step", { mode: "number" }).notNull().default(0),
});

export const mfaRecoveryCodes = pgTable(
  "mfa_recovery_codes",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedByDefaultAsIdentity(),
    userId: userRef("user_id"),
    codeHash: text("code_hash").notNull(),
  },
  (t) => [index("mfa_recovery_codes_user_code").on(t.userId, t.codeHash)],
);

export const mfaChallenges = pgTable(
  "mfa_challenges",
  {
    tokenHash: text("token_hash").primaryKey(),
    userId: userRef("user_id"),
    method: text("method").notNull(),
    createdAt: moment("created_at").notNull(),
    expiresAt: moment("expires_at").notNull(),
    sessionId: text("session_id"),
  },
  (t) => [index("mfa_challenges_user").on(t.userId), index("mfa_challenges_expiry").on(t.expiresAt)],
);
