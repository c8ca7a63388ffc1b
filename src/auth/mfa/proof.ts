/**
 * What a code given to `2fa/verify/`, `totp/disable/` or `totp/confirm/` proves, checked against a
 * factor read from the store: six digits are a TOTP code (checked here, against the opened
 * secret, after the last step accepted), anything else a recovery code (its hash, checked by the
 * write that spends it). The write then accepts the proof only if it still holds.
 */
import type { Config } from "../../config";
import type { MfaProof } from "../../store";
import type { ThrottleRule } from "../../store";
import { normalizedCode, recoveryCodeHash } from "./recovery-codes";
import { openSecret, sealSecret } from "./secret-box";
import { looksLikeTotp, matchingStep } from "./totp";

/** THROTTLE_MFA: wrong codes, per user. */
export function mfaRules(config: Config, userId: number): ThrottleRule[] {
  return [{ key: `mfa:${userId}`, ...config.throttle.mfa }];
}

/**
 * The proof `code` makes against sealed secret `secret` (the secret in use) of user `userId`, or
 * undefined when it is surely wrong. A secret sealed under a retired JWT secret is sealed anew
 * with the proof, so it is written back under the current one.
 */
export async function proofOf(
  config: Config,
  userId: number,
  code: string,
  factor: { secret: string | null; lastStep: number },
  now: number,
  options: { recovery: boolean } = { recovery: true },
): Promise<MfaProof | undefined> {
  const typed = code.trim();
  if (looksLikeTotp(typed)) {
    if (factor.secret === null) return undefined;
    const opened = await openSecret(config, userId, factor.secret);
    if (!opened) return undefined;
    const step = matchingStep(opened.secret, typed, now, factor.lastStep);
    if (step === undefined) return undefined;
    return { step, secret: factor.secret, ...(opened.retired ? { resealed: await sealSecret(config, userId, opened.secret) } : {}) };
  }
  // A recovery code has 16 letters and digits; anything else cannot be one.
  if (!options.recovery || normalizedCode(typed).length !== 16) return undefined;
  return { recoveryHash: recoveryCodeHash(typed) };
}
