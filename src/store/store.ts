/**
 * What the services ask of storage: one method per use case, plain rows out (OpenAuth's storage
 * adapters and Auth.js's database adapters are the models). Two engines implement it: D1
 * (src/store/d1, the default) and PostgreSQL through Hyperdrive (src/store/postgres). Each
 * method is one atomic unit on both: a D1 batch, a PostgreSQL statement (a data-modifying CTE)
 * or one short transaction retried on serialisation failures.
 *
 * Authorization is structure: a signed-in caller's work goes through a `CallerStore`, whose every
 * method reads the caller (an active user with a live login session) with its work and refuses
 * before any write (`CallerRefused`). A protected service is given a `CallerStore` and nothing
 * else of storage, so it cannot forget the check.
 */
import type {
  AdminRole,
  AdminUserRow,
  EndedSession,
  FollowCursor,
  FollowDirection,
  FollowEntry,
  KnownAddressRow,
  NewSession,
  NewUser,
  ProfileChanges,
  RotateOutcome,
  SessionRow,
  SessionState,
  Taken,
  UniqueField,
  UserRow,
} from "./rows";
import type { CallerSocialAccountStore, OAuthStore } from "./oauth";
import type { CallerMfaStore, MfaStore } from "./mfa";
import type { CallerPasskeyStore, PasskeyStore } from "./passkeys";
import type { SignInStore } from "./sign-in";
import type { CallerContentStore, CallerExportStore, CallerFeedStore, CallerNotificationStore, CallerRelationStore, ContentReads, FeedWorkStore } from "./social";
import type { MailAsk, MailReservation, Reservation, ThrottleRule } from "./throttle";

/** Who an access token names: the user and their login session. */
export interface CallerIdentity {
  id: number;
  sessionId: string;
}

/** The caller's row, read with the work in the same transaction (before any of its writes). */
export type Caller = UserRow;

/** A caller store's answer: the caller as read with the work, and the work's result. */
export type Guarded<T = object> = { caller: Caller } & T;

export interface Store {
  /** A trivial query (the health check). */
  ping(): Promise<void>;
  readonly accounts: AccountStore;
  readonly logins: LoginStore;
  /** How every sign-in method ends: a session, or the two-factor challenge instead. */
  readonly signIns: SignInStore;
  /** The second step of a sign-in with two-factor on. */
  readonly mfa: MfaStore;
  /** Discoverable passkey login. */
  readonly passkeys: PasskeyStore;
  readonly sessions: SessionStore;
  readonly maintenance: MaintenanceStore;
  /** Posts and comments as anyone sees them (no viewer: nothing hidden, nothing liked). */
  readonly content: ContentReads;
  /** The feed's background work (the queue consumer). */
  readonly feedWork: FeedWorkStore;
  /** Social login: the user an identity signs in, links, new accounts, one-time codes. */
  readonly oauth: OAuthStore;
  /** Gives throttle slots back (a login that succeeded, a mail never sent). */
  releaseSlots(ids: number[]): Promise<void>;
  /** The store of a signed-in caller (the Bearer check has verified the token naming them). */
  caller(identity: CallerIdentity): CallerStore;
}

/** Registration, password reset and email verification. */
export interface AccountStore {
  /** Reserves a registration slot under `rules` and finds other holders of the username / email (case-insensitively), together. */
  checkRegistration(wanted: { username: string; email: string }, rules: ThrottleRule[], now: number): Promise<{ reservation: Reservation; taken: Set<UniqueField> }>;
  /**
   * Inserts a user, the address it registers from known to it from the start, and (`mail`) its
   * verification mail counted against the recipient. A unique index refusing it is returned.
   */
  register(user: NewUser, extras: { address: string; mail?: ThrottleRule }, now: number): Promise<{ id: number } | Taken>;
  /** The mail's slots (`ask`), and the active user holding `email` (a password-reset request). */
  resetRequest(ask: MailAsk, email: string, now: number): Promise<{ mail: MailReservation; user?: ResetSubject }>;
  /** The mail's slots (`ask`), and the unverified active user holding `email` (a new verification mail). */
  resendRequest(ask: MailAsk, email: string, now: number): Promise<{ mail: MailReservation; user?: { id: number; username: string; email: string } }>;
  /** Active user `id` (a reset confirmation, an email verification). */
  activeUser(id: number): Promise<ActiveUser | undefined>;
  /**
   * A reset: the new hash, only over the hash the token was checked against; with it every
   * session ends, the address counts as verified, and the failed logins counted under `failures`
   * (a key, and a prefix of keys) are forgotten.
   */
  resetPassword(id: number, hashes: { expected: string; next: string }, failures: { key: string; prefix: string }): Promise<{ changed: boolean; ended: EndedSession[] }>;
  /** Marks `email` verified for user `id`, if it is still their address. */
  markEmailVerified(id: number, email: string): Promise<boolean>;
  /**
   * Confirms user `id`'s pending address: every session but `keepSession` ends, the old address's
   * notice is counted (`notice`), and the address becomes the email, all only while `pending` is
   * still pending (of racing confirmations one acts). A unique index refusing it is returned.
   */
  confirmPendingEmail(
    change: { id: number; pending: string; keepSession?: string; notice?: MailAsk },
    now: number,
  ): Promise<{ confirmed: boolean; ended: EndedSession[]; noticeGoes: boolean } | Taken>;
}

/** What a reset request needs of its user (the token binds the hash, last login and email). */
export type ResetSubject = Pick<UserRow, "id" | "username" | "password" | "lastLogin" | "email">;
/** What a reset confirmation or an email verification needs of its user. */
export type ActiveUser = ResetSubject & Pick<UserRow, "pendingEmail" | "firstName" | "lastName">;
/** What a login needs of its account. */
export type LoginAccount = Pick<UserRow, "id" | "password" | "isActive" | "emailVerified" | "mfaEnabled">;
/** A login's rehash of the password it checked: `from` the stored hash it read, `to` today's. */
export interface UpgradedHash {
  from: string;
  to: string;
}

/** Password logins. */
export interface LoginStore {
  /**
   * The throttle slots under `rules`, the account named `username` (case-insensitively) and a
   * speculative login session for it, before any password is hashed (one round trip on D1). The
   * session starts only for an active account without two-factor whose slots were reserved (a
   * right password then ends like every sign-in: `SignInStore.finish`).
   */
  begin(attempt: { rules: ThrottleRule[]; username: string; session: NewSession }, now: number): Promise<{ reservation: Reservation; account?: LoginAccount; started: boolean }>;
  /**
   * Failed logins counted under keys starting with `prefix` since `since` (a username's failures
   * from every address: whether Turnstile is asked for), read before anything is written.
   */
  recentFailures(prefix: string, since: number): Promise<number>;
  /** After a refused login: the session begun speculatively is removed. */
  discard(sessionId: string): Promise<void>;
  /** `address` is known to user `userId` from now on (for 30 days). */
  rememberAddress(userId: number, address: string, now: number): Promise<void>;
}

/** Refresh, verify, logout: login sessions seen through their tokens. */
export interface SessionStore {
  /**
   * Replaces `oldJti` by `newJti` if, and only if, it is the session's current token, the session
   * is live and its user active (of concurrent refreshes of one token exactly one rotates). A token
   * no longer current is reuse, which ends the session, unless this same `client` replaced it
   * less than `graceMs` ago.
   */
  rotate(session: { id: string; userId: number }, rotation: { oldJti: string; newJti: string; newExpiresAt: Date; client: string }, graceMs: number, now: number): Promise<RotateOutcome>;
  /** Where a token stands in its session (token/verify); a refresh token no longer current (outside the grace) ends it. */
  standing(session: { id: string; userId: number }, refresh: { jti: string; client: string } | undefined, graceMs: number, now: number): Promise<{ state: SessionState; userActive: boolean; ended?: EndedSession }>;
  /** Ends a session (logout); where `jti` stood just before, and the session if this call ended it. */
  end(session: { id: string; userId: number }, jti: string, now: number): Promise<{ state: SessionState; ended?: EndedSession }>;
}

/** The cron's clean-up. */
export interface MaintenanceStore {
  /** Deletes up to `limit` sessions whose last token has expired; how many it deleted. */
  deleteExpiredSessions(limit: number, now: number): Promise<number>;
  /** Deletes throttle events older than `maxPeriodMs`. */
  deleteOldThrottleEvents(maxPeriodMs: number, now: number): Promise<void>;
  /** Forgets addresses not used for 30 days. */
  forgetOldAddresses(now: number): Promise<void>;
  /** Deletes two-factor challenges that expired (used or not). */
  deleteExpiredMfaChallenges(now: number): Promise<void>;
  /** Deletes passkey challenges that expired unused. */
  deleteExpiredPasskeyChallenges(now: number): Promise<void>;
}

/** A signed-in caller's storage: every method reads the caller with its work and refuses before any write. */
export interface CallerStore {
  readonly identity: CallerIdentity;
  /** The caller alone. */
  check(): Promise<Caller>;
  /** Reserves slots under `rules` (a check of the current password) with the caller. */
  reserve(rules: ThrottleRule[], now: number): Promise<Guarded<{ reservation: Reservation }>>;
  /** Gives throttle slots back (a right password's, a mail never sent); harmless, so unguarded. */
  releaseSlots(ids: number[]): Promise<void>;
  /** Counts a mail (`ask`) with the caller: its slots (a recipient key among them means "send"). */
  countMail(ask: MailAsk, now: number): Promise<Guarded<{ mail: MailReservation }>>;
  readonly profile: ProfileStore;
  /** The new hash, only over the hash that was checked; with it every session ends. */
  changePassword(hashes: { expected: string; next: string }, now: number): Promise<Guarded<{ changed: boolean; ended: EndedSession[] }>>;
  readonly sessions: CallerSessionStore;
  readonly follows: CallerFollowStore;
  readonly users: CallerUserStore;
  readonly admin: AdminStore;
  /**
   * Deletes the caller whole: follows both ways and likes and comments with the counters they
   * moved, sessions, known addresses, the row, and by its cascades their posts (with those posts'
   * comments, likes, feed entries and notifications), feed, notifications, blocks and mutes.
   */
  deleteAccount(now: number): Promise<Guarded<{ deleted?: { profilePicture: string | null }; ended: EndedSession[] }>>;
  /** Up to `limit` of the caller's known addresses after `after`, in address order (the export). */
  knownAddresses(after: string | undefined, limit: number): Promise<Guarded<{ rows: KnownAddressRow[] }>>;
  /** Posts, comments and likes as the caller sees and writes them. */
  readonly content: CallerContentStore;
  readonly feed: CallerFeedStore;
  readonly notifications: CallerNotificationStore;
  /** Blocks, mutes and relationships. */
  readonly relations: CallerRelationStore;
  /** The caller's linked provider identities (social login). */
  readonly socialAccounts: CallerSocialAccountStore;
  /** The caller's two-factor setup. */
  readonly mfa: CallerMfaStore;
  /** The caller's comments, likes and notifications, whole, for the export. */
  readonly export: CallerExportStore;
  /** The caller's passkeys. */
  readonly passkeys: CallerPasskeyStore;
}

/** What an email change asks of the first read (`ProfileStore.prepare`). */
export interface EmailChangeAsk {
  /** THROTTLE_PASSWORD_CHECK's rules for the current password. */
  password: ThrottleRule[];
  /** The change's mail, charged to the caller. */
  mail: MailAsk;
}

/** What a profile update does beside the row. */
export interface ProfileEffects {
  /** Throttle slots to give back in the same write (the right password's). */
  releaseSlots?: number[];
  /** Every other session of the caller ends (an email change that takes effect at once). */
  endOtherSessions?: boolean;
  /** A mail counted with the update (the old address's notice, or the new address's confirmation): `mailGoes` says whether it may be sent. */
  mail?: MailAsk;
}

export interface ProfileStore {
  /** Other holders of the wanted username / email, and, for an email change, its password's and mail's slots. */
  prepare(wanted: { username?: string; email?: string }, emailChange: EmailChangeAsk | undefined, now: number): Promise<Guarded<{ taken: Set<UniqueField>; password?: Reservation; mail?: MailReservation }>>;
  /** Applies `changes` with `effects`; `caller` is the row before (its picture key), `user` after. A unique index refusing it is returned. */
  update(changes: ProfileChanges, effects: ProfileEffects, now: number): Promise<Guarded<{ user: UserRow; ended: EndedSession[]; mailGoes: boolean }> | Taken>;
}

export interface CallerSessionStore {
  /** The caller's live sessions, newest first. */
  list(now: number): Promise<Guarded<{ sessions: SessionRow[] }>>;
  /** Ends a live session of the caller; none when it is another's, unknown or over. */
  end(sessionId: string, now: number): Promise<Guarded<{ ended?: EndedSession }>>;
  /** Ends every live session of the caller (logout-all), including ones started this very second. */
  endAll(now: number): Promise<Guarded<{ ended: EndedSession[] }>>;
}

/**
 * The target of a follow or unfollow: `blocked` when a block stands either way (a follow is then
 * refused and nothing changes), `changed` when the edge moved (a repeat changes nothing), and
 * whether the target's posts are pulled (`feedPull`) and how many followers they have now (for
 * the feed's work: a backfill or purge, a promotion).
 */
export interface FollowTarget {
  username: string;
  blocked: boolean;
  changed: boolean;
  feedPull: boolean;
  followersCount: number;
}

export interface CallerFollowStore {
  /**
   * Follows or unfollows `targetId`: the edge, both counters and the follow's notification move
   * together, only when the edge is absent (follow) or present (unfollow) and (follow) no block
   * stands either way, so repeating one changes nothing. A follow of a pull author is marked
   * `pull`. The target, or none when there is no such user.
   */
  change(action: "follow" | "unfollow", targetId: number, now: number): Promise<Guarded<{ target?: FollowTarget }>>;
  /** A page (`limit + 1` rows in the cursor's direction) of `ownerId`'s followers or following, newest first; `ownerExists` tells a 404. */
  page(ownerId: number, direction: FollowDirection, cursor: FollowCursor | undefined, limit: number): Promise<Guarded<{ ownerExists: boolean; entries: FollowEntry[] }>>;
}

export interface CallerUserStore {
  /** One user as the caller sees them (with `isFollowing`, and their social providers for the admin shape). */
  seen(id: number): Promise<Guarded<{ user?: AdminUserRow; isFollowing: boolean }>>;
  /** A page of every user by id (`search`: username or email contains it, literally, ignoring case) and the total; empty and 0 for a caller who is not staff, costing no scan. */
  page(search: string | undefined, offset: number, limit: number): Promise<Guarded<{ count: number; rows: AdminUserRow[] }>>;
}

/** What an admin may change of another user; `mfaEnabled: false` also deletes their secret, recovery codes and waiting sign-ins. */
export interface AdminChanges {
  isActive?: boolean;
  isStaff?: boolean;
  mfaEnabled?: false;
}

export interface AdminStore {
  /**
   * An admin's change of user `id` (absent flags unchanged), conditioned in the write itself on the
   * caller holding `need` and, for `isActive` of a staff or superuser target, on the caller being
   * a superuser; deactivation ends every session of the target in the same write. `user` is the
   * new row (with their social providers); `exists` tells a refused change (403) from an unknown id (404).
   */
  changeUser(id: number, changes: AdminChanges, need: AdminRole, now: number): Promise<Guarded<{ user?: AdminUserRow; exists: boolean; ended: EndedSession[] }>>;
  /** Deletes user `id` as account deletion does, conditioned on the caller being a superuser. */
  deleteUser(id: number, now: number): Promise<Guarded<{ deleted?: { profilePicture: string | null }; ended: EndedSession[] }>>;
}
