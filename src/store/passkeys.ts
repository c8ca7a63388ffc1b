/**
 * Passkey (WebAuthn) storage (API.md "Passkeys (WebAuthn)"): the caller's credentials
 * (registration, list, delete) and discoverable login. Every challenge is used once: the write
 * that uses one deletes it, and acts only if that very delete found it live (of racing requests
 * with one challenge, exactly one acts). Public keys only: nothing here is a secret.
 */
import type { NewSession } from "./rows";
import type { Guarded } from "./store";

/** A registered passkey as its owner sees it. */
export interface PasskeyRow {
  id: number;
  name: string;
  createdAt: Date;
  lastUsedAt: Date | null;
}

/** A credential of the caller, excluded from a new registration (an authenticator holds one per account). */
export interface ExcludedCredential {
  credentialId: string;
  transports: string[];
}

/** A challenge given out, until `expiresAt`. */
export interface NewPasskeyChallenge {
  challenge: string;
  expiresAt: Date;
}

/** What a verified registration keeps. */
export interface NewPasskey {
  credentialId: string;
  /** The COSE public key, base64url. */
  publicKey: string;
  counter: number;
  transports: string[];
  name: string;
}

/** What `PasskeyStore.credential` finds: what verifying an assertion needs, and its user's state. */
export interface StoredPasskey {
  id: number;
  userId: number;
  credentialId: string;
  publicKey: string;
  counter: number;
  userHandle: string;
  userActive: boolean;
}

/** How a login's write ended. */
export type PasskeyLogin =
  /** The challenge is spent, the counter moved, the session started. */
  | "signed_in"
  /** The challenge was not a live login challenge (used, expired, unknown): nothing done. */
  | "challenge"
  /** The counter was no longer the one checked (a racing login with the same counter, a cloned authenticator): the challenge is spent, nothing else. */
  | "counter"
  /** The user is inactive (or gone): the challenge is spent, nothing else. */
  | "inactive";

export interface CallerPasskeyStore {
  /** The caller's passkeys, oldest first. */
  list(): Promise<Guarded<{ passkeys: PasskeyRow[] }>>;
  /**
   * Keeps a registration challenge for the caller with the WebAuthn user handle of their
   * passkeys (or `newHandle` for their first), and reads their credentials to exclude, in one write.
   */
  beginRegistration(challenge: NewPasskeyChallenge & { newHandle: string }, now: number): Promise<Guarded<{ userHandle: string; excluded: ExcludedCredential[] }>>;
  /**
   * One write: the caller's registration challenge `challenge` is deleted, and only if it was live
   * `passkey` is kept (not when its credential id is registered already) and the caller's count moves.
   */
  register(challenge: string, passkey: NewPasskey, now: number): Promise<Guarded<{ passkey?: PasskeyRow }>>;
  /**
   * Deletes the caller's passkey `id` unless it is their last way to sign in (no usable password,
   * no other passkey), in one write: `unknown` when they have no such passkey.
   */
  delete(id: number): Promise<Guarded<{ outcome: "deleted" | "unknown" | "last" }>>;
}

/** Discoverable login: anyone may ask for a challenge; an assertion names its credential. */
export interface PasskeyStore {
  /**
   * Keeps a login challenge (nobody's: the user is known only from the assertion), and deletes a
   * few expired ones in the same write, so that anonymous calls cannot grow the table beyond the
   * challenges still live.
   */
  beginLogin(challenge: NewPasskeyChallenge, now: number): Promise<void>;
  /** The passkey of `credentialId`, if one is registered. */
  credential(credentialId: string): Promise<StoredPasskey | undefined>;
  /**
   * One atomic write: login challenge `challenge` is deleted whatever follows; only if it was live,
   * passkey `passkeyId`'s counter is still `counter.from` and its user active, the counter becomes
   * `counter.to`, last_used now, and `session` starts.
   */
  login(attempt: { challenge: string; passkeyId: number; userId: number; counter: { from: number; to: number }; session: NewSession }, now: number): Promise<PasskeyLogin>;
}
