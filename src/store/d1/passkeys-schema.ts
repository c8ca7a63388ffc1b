/**
 * The passkey tables on D1 (API.md "Passkeys (WebAuthn)"): each user's WebAuthn credentials, and
 * the challenges of registrations and logins under way (single use, 5 minutes). The count a user
 * has is `users.passkey_count` (./schema.ts), moved in the same batches.
 */
import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { users } from "./schema";

const moment = (name: string) => integer(name, { mode: "timestamp_ms" });

/** A registered credential: its public key, never a secret (the private key never leaves the authenticator). */
export const passkeys = sqliteTable(
  "passkeys",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    /** The credential id, base64url: what an assertion names (discoverable login: the only way to find the user). */
    credentialId: text("credential_id").notNull(),
    /** The COSE public key, base64url. */
    publicKey: text("public_key").notNull(),
    /** The authenticator's signature counter as last seen (0: it keeps none); a login must present a greater one. */
    counter: integer("counter").notNull().default(0),
    /** The transports the browser reported (JSON array), given back in `excludeCredentials`. */
    transports: text("transports").notNull().default("[]"),
    /** The WebAuthn user handle (base64url, random, one per user): an assertion's `userHandle` must be it. */
    userHandle: text("user_handle").notNull(),
    name: text("name").notNull(),
    createdAt: moment("created_at").notNull(),
    lastUsedAt: moment("last_used_at"),
  },
  (t) => [uniqueIndex("passkeys_credential_id").on(t.credentialId), index("passkeys_user").on(t.userId)],
);

/**
 * A challenge given out by `register/options/` (with the user and the user handle it is for) or
 * `login/options/` (nobody's: discoverable login). Deleted by the write that uses it, whatever the
 * outcome; the cron deletes the expired ones.
 */
export const passkeyChallenges = sqliteTable(
  "passkey_challenges",
  {
    /** The challenge, base64url (random, 32 bytes): not a secret, only single use. */
    challenge: text("challenge").primaryKey(),
    /** "registration" or "login". */
    purpose: text("purpose").notNull(),
    userId: integer("user_id").references(() => users.id, { onDelete: "cascade" }),
    userHandle: text("user_handle"),
    expiresAt: moment("expires_at").notNull(),
  },
  (t) => [index("passkey_challenges_user").on(t.userId), index("passkey_challenges_expiry").on(t.expiresAt)],
);
