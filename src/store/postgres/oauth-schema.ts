/** The social-login tables on PostgreSQL: the same tables and columns as D1's (src/store/d1/oauth-schema.ts), in PostgreSQL's types. */
import { bigint, index, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import { users } from "./schema";

const moment = (name: string) => timestamp(name, { withTimezone: true, precision: 3, mode: "date" });
const userRef = (name: string) =>
  bigint(name, { mode: "number" })
    .notNull()
    .references(() => users.id, { onDelete: "cascade" });

export const socialAccounts = pgTable(
  "social_accounts",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedByDefaultAsIdentity(),
    userId: userRef("user_id"),
    provider: text("provider").notNull(),
    uid: text("uid").notNull(),
    email: text("email"),
    createdAt: moment("created_at").notNull(),
  },
  (t) => [uniqueIndex("social_accounts_identity").on(t.provider, t.uid), index("social_accounts_user").on(t.userId)],
);

export const oauthCodes = pgTable(
  "oauth_codes",
  {
    codeHash: text("code_hash").primaryKey(),
    userId: userRef("user_id"),
    expiresAt: moment("expires_at").notNull(),
  },
  (t) => [index("oauth_codes_user").on(t.userId), index("oauth_codes_expiry").on(t.expiresAt)],
);
