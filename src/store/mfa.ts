/**
 * Two-factor (TOTP) storage (API.md "Two-factor"): the caller's own factor (setup, confirmation,
 * recovery codes, disable) and the second step of a sign-in. Secrets arrive sealed
 * (src/auth/mfa/secret-box.ts), codes and tokens hashed: nothing here sees one in the clear.
 * Each code is accepted once: the write that accepts a TOTP step refuses it unless it is after the
 * last one accepted, and the write that accepts a recovery code deletes it.
 */
import type { NewSession } from "./rows";
import type { Guarded } from "./store";
import type { ThrottleRule, WindowCount } from "./throttle";

/** A user's factor: the sealed secret in use (two-factor on) and a setup's sealed new one. */
export interface MfaFactor {
  secret: string | null;
  pendingSecret: string | null;
  /** The last 30-second step whose code was accepted. */
  lastStep: number;
  /** Recovery codes not used yet. */
  recoveryCodes: number;
}

/** What a right code proves: a TOTP step of the sealed secret it was checked against, or an unused recovery code (its hash). */
export type MfaProof = { step: number; secret: string; resealed?: string } | { recoveryHash: string };

export interface CallerMfaStore {
  /** The caller's factor (none before any setup), and attempts counted under `rules` (THROTTLE_MFA). */
  factor(rules: ThrottleRule[], now: number): Promise<Guarded<{ factor?: MfaFactor; counts: WindowCount[] }>>;
  /** Keeps `pendingSecret` until it is confirmed; the secret in use, if any, stays in use meanwhile. */
  beginSetup(pendingSecret: string): Promise<Guarded>;
  /**
   * Turns two-factor on with the setup's secret, while `pending` is still the pending one: it
   * becomes the secret in use (sealed anew: `secret`), `step` the last accepted, and the recovery
   * codes are replaced by `codeHashes`, all in one write (of racing confirmations one acts).
   */
  confirm(change: { pending: string; secret: string; step: number; codeHashes: string[] }): Promise<Guarded<{ confirmed: boolean }>>;
  /** Replaces the recovery codes by `codeHashes`, only while two-factor is on. */
  replaceRecoveryCodes(codeHashes: string[]): Promise<Guarded<{ replaced: boolean }>>;
  /** Turns two-factor off (the secrets, codes and waiting sign-ins gone) if `proof` still holds. */
  disable(proof: MfaProof): Promise<Guarded<{ disabled: boolean }>>;
}

/** A sign-in waiting for its second factor, with what its answer is checked against. */
export interface MfaChallengeRow {
  userId: number;
  /** The sealed secret in use (null when two-factor was turned off meanwhile). */
  secret: string | null;
  lastStep: number;
}

/** How a second step ended. */
export type MfaAnswer =
  | { outcome: "signed_in" }
  /** A wrong code, counted. */
  | { outcome: "wrong" }
  /** The proof did not hold at the write (a recovery code that is not an unused one, a step a racing request had accepted meanwhile): nothing done, nothing counted. */
  | { outcome: "refused" }
  /** The challenge is used, expired or unknown (or its user inactive, or two-factor off). */
  | { outcome: "spent" }
  /** Over THROTTLE_MFA: nothing was done, nothing counted. */
  | { outcome: "throttled"; counts: WindowCount[] };

/** The second step of a sign-in. */
export interface MfaStore {
  /** The live challenge of `tokenHash` (not used, not expired, its user active with two-factor on). */
  challenge(tokenHash: string, now: number): Promise<MfaChallengeRow | undefined>;
  /**
   * One atomic write. With `proof` (a code that may be right), while the user is under `rules`: the challenge
   * is spent by starting `session` (its id marks it), the proof is used up (the step recorded, the
   * recovery code deleted), only if the challenge is still live and the proof still holds. Without
   * (a wrong code): a slot is counted under `rules`, or, over them, nothing.
   */
  answer(challenge: { tokenHash: string; userId: number }, proof: MfaProof | undefined, session: NewSession, rules: ThrottleRule[], now: number): Promise<MfaAnswer>;
}
