/** The social-login tables on D1 (API.md "Social login"): identities linked to users, and the browser flow's one-time codes. */
import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { users } from "./schema";

/** One row per provider identity linked to a user: `uid` is the provider's stable id (an ID token's `sub`, GitHub's numeric id). */
export const socialAccounts = sqliteTable(
  "social_accounts",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    provider: text("provider").notNull(),
    uid: text("uid").notNull(),
    /** The address the provider gave when the identity was linked, if any (shown, never matched on again). */
    email: text("email"),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [
    // An identity signs in one user only: two racing first logins cannot both link it.
    uniqueIndex("social_accounts_identity").on(t.provider, t.uid),
    index("social_accounts_user").on(t.userId),
  ],
);

/**
 * The browser flow's one-time codes (`#code=` in the redirect to the app), kept as their SHA-256
 * only: a read of the table gives nothing to exchange. Taken once by a conditional DELETE.
 */
export const oauthCodes = sqliteTable(
  "oauth_codes",
  {
    codeHash: text("code_hash").primaryKey(),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    expiresAt: integer("expires_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [index("oauth_codes_user").on(t.userId), index("oauth_codes_expiry").on(t.expiresAt)],
);
