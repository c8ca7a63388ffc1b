/**
 * What every sign-in method asks of storage at its end (API.md "Sign-in beyond passwords"): a
 * login session for a user it has identified, or, with two-factor on, the challenge its second
 * step answers instead; then the bookkeeping of a completed sign-in. src/auth/sign-in.ts is its one user.
 */
import type { NewSession } from "./rows";
import type { UpgradedHash } from "./store";

/** The first factor of a sign-in: two-factor follows a password or a provider, never a passkey (itself two factors). */
export type SignInMethod = "password" | "social" | "passkey";

/** An `mfa_token` to keep (its hash only) for the second step. */
export interface NewMfaChallenge {
  tokenHash: string;
  method: Exclude<SignInMethod, "passkey">;
  expiresAt: Date;
}

/** What `SignInStore.start` did: started the session, stored the challenge instead, or neither (no active user). */
export type SignInStart = "session" | "mfa" | "inactive";

/** What a completed step leaves to do after the response. */
export interface SignInBookkeeping {
  /** Throttle slots of a right password, given back. */
  releaseSlots: number[];
  /** A rehash of the password the login checked (written only over the hash it read). */
  upgradedHash?: UpgradedHash;
  /** The client address of a completed sign-in: last_login moves and the address is known to the account. */
  signedInFrom?: string;
}

export interface SignInStore {
  /**
   * In one atomic write, for active user `userId`: the session, or, when `challenge` is given and
   * two-factor is on, the challenge instead (never both, and never a session past two-factor: the
   * switch is read by the write itself).
   */
  start(userId: number, session: NewSession, challenge: NewMfaChallenge | undefined, now: number): Promise<SignInStart>;
  /**
   * After a step that proved something: the slots given back, an upgraded hash written only while
   * the row's password is still `from` (a password changed or reset meanwhile is never replaced by
   * the old one, rehashed), and for a completed sign-in last_login and the known address.
   */
  finish(userId: number, bookkeeping: SignInBookkeeping, now: number): Promise<void>;
}
