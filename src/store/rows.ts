/**
 * The plain rows the store reads and writes, the same whichever engine serves (both schemas
 * produce exactly these shapes: a test checks it). Services see these, never a table.
 */

/** Django's AbstractUser columns plus the social fields of the original CustomUser. */
export interface UserRow {
  id: number;
  password: string;
  lastLogin: Date | null;
  isSuperuser: boolean;
  username: string;
  firstName: string;
  lastName: string;
  email: string;
  isStaff: boolean;
  isActive: boolean;
  dateJoined: Date;
  bio: string | null;
  /** An R2 key under `profile_pics/`, never a URL. */
  profilePicture: string | null;
  /** Whether the user proved they receive mail at `email`. */
  emailVerified: boolean;
  /** With email verification on: a new address waiting for its confirmation. */
  pendingEmail: string | null;
  followersCount: number;
  followingCount: number;
  /** Whether this author's posts are pulled into feeds at read time rather than fanned out. */
  feedPull: boolean;
  /** Grows with every block and unblock of this user (the PostgreSQL follow's check: src/store/postgres/follows.ts). */
  relationsVersion: number;
  /** Two-factor (TOTP) is on: a password or social sign-in asks for a code. */
  mfaEnabled: boolean;
  /** How many passkeys the user has registered. */
  passkeyCount: number;
}

/** A user as the admin shape shows them: the row, and how they can sign in beyond it. */
export interface AdminUserRow extends UserRow {
  /** The provider of each of their linked social accounts, sorted (read in the same statement as the row). */
  socialProviders: string[];
}

/** A user to insert: what registration, createsuperuser and the importer give. */
export type NewUser = Pick<UserRow, "username" | "email" | "password" | "dateJoined"> &
  Partial<Pick<UserRow, "isStaff" | "isSuperuser" | "emailVerified" | "firstName" | "lastName">>;

/** What a caller may change of their own row. */
export type ProfileChanges = Partial<Pick<UserRow, "username" | "email" | "emailVerified" | "firstName" | "lastName" | "bio" | "profilePicture" | "pendingEmail">>;

/** The user fields kept unique, case-insensitively. */
export type UniqueField = "username" | "email";

/** A write refused by a unique index (a lost race): the field, answered as a taken one. */
export interface Taken {
  taken: UniqueField;
}

/** A login session that has just ended, with the moment its last token expires (the KV deny-list entry's lifetime). */
export interface EndedSession {
  id: string;
  expiresAt: Date;
}

/** A live login session as the sessions list shows it. */
export interface SessionRow {
  id: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  userAgent: string | null;
}

/** A login session to start (its first refresh token's jti and expiry). */
export interface NewSession {
  id: string;
  jti: string;
  expiresAt: Date;
  userAgent: string | null;
}

export type FollowDirection = "followers" | "following";

/** A position in a follow list: after (`forward`) or before the follow row `id`. */
export interface FollowCursor {
  id: number;
  forward: boolean;
}

/** One entry of a follow list: the follow row's id (the cursor), the other user, and whether the caller follows them. */
export interface FollowEntry {
  position: number;
  user: UserRow;
  isFollowing: boolean;
}

/** An address a user logged in (or registered) from, and when last (milliseconds). */
export interface KnownAddressRow {
  address: string;
  lastSeen: number;
}

/** An admin role: staff (is_staff) or superuser (is_staff and is_superuser). */
export type AdminRole = "staff" | "superuser";

/** Where a refresh token stands in its session. */
export type SessionState = "current" | "not_current" | "revoked" | "unknown";

export type RotateOutcome =
  | { kind: "rotated" }
  | { kind: "no_active_user" }
  | { kind: "unknown" }
  | { kind: "revoked"; session: EndedSession }
  /** The token was already used: the session has just been ended as stolen. */
  | { kind: "reused"; session: EndedSession }
  /** Replaced less than the reuse grace ago by this same client (two tabs refreshing at once): refused, the session left live. */
  | { kind: "within_grace" };
