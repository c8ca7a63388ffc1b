/** The tables: the single source of the database layout (`drizzle-kit generate` writes migrations from it). */
import { sql } from "drizzle-orm";
import { check, index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

/** Django's AbstractUser columns plus the social fields of the original CustomUser. */
export const users = sqliteTable(
  "users",
  {
    // AUTOINCREMENT: ids are never reused, so a token of a deleted user can never name someone else.
    id: integer("id").primaryKey({ autoIncrement: true }),
    password: text("password").notNull(),
    lastLogin: integer("last_login", { mode: "timestamp_ms" }),
    isSuperuser: integer("is_superuser", { mode: "boolean" }).notNull().default(false),
    username: text("username").notNull(),
    firstName: text("first_name").notNull().default(""),
    lastName: text("last_name").notNull().default(""),
    email: text("email").notNull().default(""),
    isStaff: integer("is_staff", { mode: "boolean" }).notNull().default(false),
    isActive: integer("is_active", { mode: "boolean" }).notNull().default(true),
    dateJoined: integer("date_joined", { mode: "timestamp_ms" }).notNull(),
    bio: text("bio"),
    /** An R2 key under `profile_pics/`, never a URL. */
    profilePicture: text("profile_picture"),
    /** Whether the user proved they receive mail at `email` (createsuperuser and imported users count as verified). */
    emailVerified: integer("email_verified", { mode: "boolean" }).notNull().default(false),
    /** With email verification on: a new address waiting for its confirmation (it becomes `email` then). */
    pendingEmail: text("pending_email"),
    followersCount: integer("followers_count").notNull().default(0),
    followingCount: integer("following_count").notNull().default(0),
    /** Posts pulled into followers' feeds at read time rather than fanned out (an author with many followers: see the feed). */
    feedPull: integer("feed_pull", { mode: "boolean" }).notNull().default(false),
    /**
     * Grows with every block and unblock involving this user. A PostgreSQL follow compares the
     * value of the row it locked with its snapshot's: different means a block committed while it
     * waited, which its snapshot cannot see, so it runs again (src/store/postgres/follows.ts).
     */
    relationsVersion: integer("relations_version").notNull().default(0),
    /**
     * Two-factor (TOTP) is on: password and social sign-ins stop at the `mfa_required` step. The one
     * switch every sign-in's write reads (src/store/d1/sign-in-store.ts); the secret and recovery
     * codes are in ./mfa-schema.ts, changed in the same batches.
     */
    mfaEnabled: integer("mfa_enabled", { mode: "boolean" }).notNull().default(false),
    /**
     * How many passkeys (./passkeys-schema.ts) the user has, moved in the batches that register and
     * delete one: what the admin console shows, and what a check of the ways left to sign in reads.
     */
    passkeyCount: integer("passkey_count").notNull().default(0),
  },
  (t) => [
    // Case-insensitive uniqueness enforced by the database itself, so racing registrations cannot both win.
    uniqueIndex("users_username_ci").on(sql`lower(${t.username})`),
    // Imported Django users may have no email; only non-empty addresses must be unique.
    uniqueIndex("users_email_ci").on(sql`lower(${t.email})`).where(sql`${t.email} <> ''`),
  ],
);

/** One row per (follower, followee) pair; `id` grows with time, so it is also the "newest first" cursor. */
export const follows = sqliteTable(
  "follows",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    followerId: integer("follower_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    followeeId: integer("followee_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
    /** The followee is a pull author (`users.feed_pull`): a feed read merges their posts in. */
    pull: integer("pull", { mode: "boolean" }).notNull().default(false),
  },
  (t) => [
    uniqueIndex("follows_pair").on(t.followerId, t.followeeId),
    // A reader's pull followees: a handful of rows whoever they follow.
    index("follows_pull").on(t.followerId, t.followeeId).where(sql`${t.pull}`),
    // "followers of X, newest first" and "who X follows, newest first" are range scans of these.
    index("follows_followee_newest").on(t.followeeId, t.id),
    index("follows_follower_newest").on(t.followerId, t.id),
    check("follows_not_self", sql`${t.followerId} <> ${t.followeeId}`),
  ],
);

export type NewUserRow = typeof users.$inferInsert;

/**
 * One row per login ("family"): every refresh token descending from that login carries its id
 * (`fam`). Only `current_jti` may be refreshed; the conditional update on it is the atomic
 * single-use check that KV (eventually consistent, no compare-and-set) cannot give.
 */
export const tokenFamilies = sqliteTable(
  "token_families",
  {
    id: text("id").primaryKey(),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    currentJti: text("current_jti").notNull(),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
    /** When the current refresh token expires; the row is useless (and deleted) after that. */
    expiresAt: integer("expires_at", { mode: "timestamp_ms" }).notNull(),
    revokedAt: integer("revoked_at", { mode: "timestamp_ms" }),
    /** The refresh token `current_jti` replaced, and when: presented again within the reuse grace, it is refused without ending the session. */
    previousJti: text("previous_jti"),
    rotatedAt: integer("rotated_at", { mode: "timestamp_ms" }),
    /**
     * The client that made that rotation (an HMAC under JWT_SECRET of its User-Agent and address,
     * so neither is kept): the reuse grace holds for it alone, never for whoever copied the token.
     */
    rotatedBy: text("rotated_by"),
    /** The login, then each refresh: what GET /api/auth/sessions/ shows as `last_used`. */
    lastUsedAt: integer("last_used_at", { mode: "timestamp_ms" }),
    /** The login request's User-Agent, at most 200 characters. */
    userAgent: text("user_agent"),
  },
  (t) => [index("token_families_user").on(t.userId), index("token_families_expiry").on(t.expiresAt)],
);

/**
 * Throttling: one row per counted attempt (a failed login, a registration) under a key such as
 * `login-user:<name>`. Exact sliding windows, as DRF's throttles keep them; old rows are deleted
 * by the cron and never read (every query is a range on (key, at)).
 */
export const throttleEvents = sqliteTable(
  "throttle_events",
  {
    id: integer("id").primaryKey(),
    key: text("key").notNull(),
    /** Milliseconds since the epoch. */
    at: integer("at").notNull(),
  },
  (t) => [index("throttle_events_key_at").on(t.key, t.at)],
);

/**
 * Addresses each user has logged in from (IPv4, or an IPv6 /56), with the last time. Failed
 * logins from a "known" address (one used in the last 30 days) never count against the
 * username's own limit, so strangers' failures cannot lock the owner out of it.
 */
export const knownAddresses = sqliteTable(
  "known_addresses",
  {
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    address: text("address").notNull(),
    lastLoginAt: integer("last_login_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.address] })],
);
