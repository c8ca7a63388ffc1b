/** The passkey tables on PostgreSQL: the same tables and columns as D1's (src/store/d1/passkeys-schema.ts), in PostgreSQL's types. */
import { bigint, index, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import { users } from "./schema";

const moment = (name: string) => timestamp(name, { withTimezone: true, precision: 3, mode: "date" });

export const passkeys = pgTable(
  "passkeys",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedByDefaultAsIdentity(),
    userId: bigint("user_id", { mode: "number" })
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    credentialId: text("credential_id").notNull(),
    publicKey: text("public_key").notNull(),
    counter: bigint("counter", { mode: "number" }).notNull().default(0),
    transports: text("transports").notNull().default("[]"),
    userHandle: text("user_handle").notNull(),
    name: text("name").notNull(),
    createdAt: moment("created_at").notNull(),
    lastUsedAt: moment("last_used_at"),
  },
  (t) => [uniqueIndex("passkeys_credential_id").on(t.credentialId), index("passkeys_user").on(t.userId)],
);

export const passkeyChallenges = pgTable(
  "passkey_challenges",
  {
    challenge: text("challenge").primaryKey(),
    purpose: text("purpose").notNull(),
    userId: bigint("user_id", { mode: "number" }).references(() => users.id, { onDelete: "cascade" }),
    userHandle: text("user_handle"),
    expiresAt: moment("expires_at").notNull(),
  },
  (t) => [index("passkey_challenges_user").on(t.userId), index("passkey_challenges_expiry").on(t.expiresAt)],
);
