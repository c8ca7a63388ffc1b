/**
 * The PostgreSQL tables (`npm run db:generate` writes migrations/postgres from this file). Same
 * tables and columns as the D1 schema (src/store/d1/schema.ts; a test compares them), in
 * PostgreSQL's own types: identity ids (`bigint`, read as JavaScript numbers: the driver refuses
 * one above 2^53), `boolean`, `timestamptz` with milliseconds.
 */
import { sql } from "drizzle-orm";
import { bigint, boolean, check, index, integer, pgTable, primaryKey, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";

/** A moment, as the D1 schema keeps it: milliseconds, JavaScript `Date`s. */
const moment = (name: string) => timestamp(name, { withTimezone: true, precision: 3, mode: "date" });
/** An id: an identity column, never `serial` (a 64-bit `unique_rowid()` on CockroachDB, beyond JSON-safe integers). */
const identity = (name: string) => bigint(name, { mode: "number" }).primaryKey().generatedByDefaultAsIdentity();
const reference = (name: string) => bigint(name, { mode: "number" });

/** Django's AbstractUser columns plus the social fields of the original CustomUser. */
export const users = pgTable(
  "users",
  {
    // By default, not always: imported Django users keep their ids (the import then moves the sequence on).
    id: identity("id"),
    password: text("password").notNull(),
    lastLogin: moment("last_login"),
    isSuperuser: boolean("is_superuser").notNull().default(false),
    username: text("username").notNull(),
    firstName: text("first_name").notNull().default(""),
    lastName: text("last_name").notNull().default(""),
    email: text("email").notNull().default(""),
    isStaff: boolean("is_staff").notNull().default(false),
    isActive: boolean("is_active").notNull().default(true),
    dateJoined: moment("date_joined").notNull(),
    bio: text("bio"),
    /** An R2 key under `profile_pics/`, never a URL. */
    profilePicture: text("profile_picture"),
    emailVerified: boolean("email_verified").notNull().default(false),
    pendingEmail: text("pending_email"),
    followersCount: integer("followers_count").notNull().default(0),
    followingCount: integer("following_count").notNull().default(0),
    /** Posts pulled into followers' feeds at read time rather than fanned out (see the D1 schema). */
    feedPull: boolean("feed_pull").notNull().default(false),
    /** Grows with every block and unblock of this user: see the D1 schema and ./follows.ts. */
    relationsVersion: integer("relations_version").notNull().default(0),
    /** Two-factor (TOTP) is on: see the D1 schema. */
    mfaEnabled: boolean("mfa_enabled").notNull().default(false),
    /** How many passkeys the user has: see the D1 schema. */
    passkeyCount: integer("passkey_count").notNull().default(0),
  },
  (t) => [
    // Case-insensitive uniqueness enforced by the database itself, so racing registrations cannot both win.
    uniqueIndex("users_username_ci").on(sql`lower(${t.username})`),
    uniqueIndex("users_email_ci").on(sql`lower(${t.email})`).where(sql`${t.email} <> ''`),
  ],
);

/** One row per (follower, followee) pair; `id` grows with time, so it is also the "newest first" cursor. */
export const follows = pgTable(
  "follows",
  {
    id: identity("id"),
    followerId: reference("follower_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    followeeId: reference("followee_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    createdAt: moment("created_at").notNull(),
    /** The followee is a pull author: a feed read merges their posts in. */
    pull: boolean("pull").notNull().default(false),
  },
  (t) => [
    uniqueIndex("follows_pair").on(t.followerId, t.followeeId),
    index("follows_pull").on(t.followerId, t.followeeId).where(sql`${t.pull}`),
    index("follows_followee_newest").on(t.followeeId, t.id),
    index("follows_follower_newest").on(t.followerId, t.id),
    check("follows_not_self", sql`${t.followerId} <> ${t.followeeId}`),
  ],
);

/** One row per login ("family"): see the D1 schema. */
export const tokenFamilies = pgTable(
  "token_families",
  {
    id: text("id").primaryKey(),
    userId: reference("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    currentJti: text("current_jti").notNull(),
    createdAt: moment("created_at").notNull(),
    expiresAt: moment("expires_at").notNull(),
    revokedAt: moment("revoked_at"),
    previousJti: text("previous_jti"),
    rotatedAt: moment("rotated_at"),
    /** A keyed hash of the client (User-Agent, address) that rotated: the reuse grace holds for it alone. */
    rotatedBy: text("rotated_by"),
    lastUsedAt: moment("last_used_at"),
    userAgent: text("user_agent"),
  },
  (t) => [index("token_families_user").on(t.userId), index("token_families_expiry").on(t.expiresAt)],
);

/** Throttling: one row per counted attempt under a key (see the D1 schema). */
export const throttleEvents = pgTable(
  "throttle_events",
  {
    id: identity("id"),
    key: text("key").notNull(),
    /** Milliseconds since the epoch. */
    at: bigint("at", { mode: "number" }).notNull(),
  },
  (t) => [index("throttle_events_key_at").on(t.key, t.at)],
);

/**
 * One row per throttle key, locked by every reservation of that key before it counts (an
 * `INSERT ... ON CONFLICT (key) DO UPDATE`, which creates the row if need be and takes its lock:
 * ./throttle.ts): reservations of one key run one at a time, and each counts in a statement
 * that starts after the previous one committed, so concurrent requests cannot overshoot a limit
 * at READ COMMITTED. PostgreSQL only: D1 runs one write at a time.
 */
export const throttleLocks = pgTable("throttle_locks", {
  key: text("key").primaryKey(),
});

/** Addresses each user has logged in from, with the last time (see the D1 schema). */
export const knownAddresses = pgTable(
  "known_addresses",
  {
    userId: reference("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    address: text("address").notNull(),
    lastLoginAt: bigint("last_login_at", { mode: "number" }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.address] })],
);
