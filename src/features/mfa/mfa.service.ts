/**
 * Two-factor (TOTP, RFC 6238) for the signed-in caller (setup with their password, confirmation,
 * recovery codes, disable) and the second step of a sign-in. Wrong codes count against
 * THROTTLE_MFA per user; over it even a right code is refused (429).
 */
import { checkCurrentPassword } from "../../auth/current-password";
import { mfaTokenHash } from "../../auth/mfa/challenge-token";
import { mfaRules, proofOf } from "../../auth/mfa/proof";
import { newRecoveryCodes } from "../../auth/mfa/recovery-codes";
import { openSecret, sealSecret } from "../../auth/mfa/secret-box";
import { enrolment, looksLikeTotp, matchingStep, newTotpSecret } from "../../auth/mfa/totp";
import { type SignInClient, type TokenPair, completeSignIn, prepareSession } from "../../auth/sign-in";
import { overLimit, throttledFor } from "../../auth/throttling";
import { BadRequest, ValidationFailed } from "../../http/errors";
import type { CallerDeps, Deps } from "../../lib/deps";
import type { ThrottleRule, WindowCount } from "../../store";

const WRONG_PASSWORD = { current_password: ["The password is incorrect."] };
const invalidCode = () => new ValidationFailed({ code: ["Invalid code."] });
const invalidToken = () => new ValidationFailed({ mfa_token: ["Invalid value"] });
const notEnabled = () => new BadRequest("Two-factor authentication is not enabled.");
const noSetup = () => new BadRequest("No two-factor setup is waiting for confirmation.");

/** `totp/setup/`: a new secret, kept sealed and pending; two-factor stays as it was until it is confirmed. */
export async function setUpTotp(deps: CallerDeps, input: { currentPassword: string }) {
  const user = await checkCurrentPassword(deps, input.currentPassword, WRONG_PASSWORD);
  const secret = newTotpSecret();
  await deps.caller.mfa.beginSetup(await sealSecret(deps.config, user.id, secret));
  return enrolment(secret, deps.config.totpIssuer, user.username);
}

/** The 429 when the caller is over THROTTLE_MFA (checked before any code, so a right one is refused too). */
function refuseOverLimit(rules: ThrottleRule[], counts: WindowCount[], now: number): void {
  if (overLimit(rules, counts)) throw throttledFor(rules, counts, now);
}

/** A wrong code of the caller: counted, answered 400, or 429 when the limit is reached. */
async function wrongCode(deps: CallerDeps, rules: ThrottleRule[], now: number): Promise<never> {
  const { reservation } = await deps.caller.reserve(rules, now);
  if (reservation.slots.length === 0) throw throttledFor(rules, reservation.counts, now);
  throw invalidCode();
}

/** `totp/confirm/`: a code of the pending secret turns two-factor on; ten new recovery codes, shown this once. */
export async function confirmTotp(deps: CallerDeps, input: { code: string }): Promise<string[]> {
  const now = Date.now();
  const { id } = deps.caller.identity;
  const rules = mfaRules(deps.config, id);
  const { factor, counts } = await deps.caller.mfa.factor(rules, now);
  refuseOverLimit(rules, counts, now);
  const pending = factor?.pendingSecret;
  if (!pending) throw noSetup();
  const opened = await openSecret(deps.config, id, pending);
  const code = input.code.trim();
  // The pending secret has no code accepted yet: any step within the window will do.
  const step = opened && looksLikeTotp(code) ? matchingStep(opened.secret, code, now, -1) : undefined;
  if (!opened || step === undefined) return wrongCode(deps, rules, now);
  const { codes, hashes } = newRecoveryCodes();
  // Sealed anew: the value in use marks this confirmation in the store's write.
  const secret = await sealSecret(deps.config, id, opened.secret);
  const { confirmed } = await deps.caller.mfa.confirm({ pending, secret, step, codeHashes: hashes });
  // A racing confirmation (or a new setup) came first.
  if (!confirmed) throw noSetup();
  return codes;
}

/** `totp/disable/`: the password, then a code (or a recovery code); the secret and recovery codes are deleted. */
export async function disableTotp(deps: CallerDeps, input: { currentPassword: string; code: string }): Promise<void> {
  const user = await checkCurrentPassword(deps, input.currentPassword, WRONG_PASSWORD);
  if (!user.mfaEnabled) throw notEnabled();
  const now = Date.now();
  const rules = mfaRules(deps.config, user.id);
  const { factor, counts } = await deps.caller.mfa.factor(rules, now);
  refuseOverLimit(rules, counts, now);
  const proof = await proofOf(deps.config, user.id, input.code, { secret: factor?.secret ?? null, lastStep: factor?.lastStep ?? 0 }, now);
  if (!proof) return wrongCode(deps, rules, now);
  const { disabled } = await deps.caller.mfa.disable(proof);
  // Not an unused recovery code, or a code a racing request used first.
  if (!disabled) return wrongCode(deps, rules, now);
}

/** `recovery-codes/`: ten new codes replace the old ones, while two-factor is on. */
export async function replaceRecoveryCodes(deps: CallerDeps, input: { currentPassword: string }): Promise<string[]> {
  const user = await checkCurrentPassword(deps, input.currentPassword, WRONG_PASSWORD);
  if (!user.mfaEnabled) throw notEnabled();
  const { codes, hashes } = newRecoveryCodes();
  const { replaced } = await deps.caller.mfa.replaceRecoveryCodes(hashes);
  if (!replaced) throw notEnabled();
  return codes;
}

/**
 * `2fa/verify/`: the challenge of a sign-in (`mfa_token`) and a code. A right code spends the
 * challenge and starts the session in one write; a wrong one leaves the challenge as it was and
 * is counted.
 */
export async function verifySecondFactor(deps: Deps, input: { mfaToken: string; code: string; client: SignInClient }): Promise<TokenPair> {
  const now = Date.now();
  const tokenHash = mfaTokenHash(input.mfaToken);
  const challenge = await deps.store.mfa.challenge(tokenHash, now);
  if (!challenge) throw invalidToken();
  const { userId } = challenge;
  const rules = mfaRules(deps.config, userId);
  const proof = await proofOf(deps.config, userId, input.code, challenge, now);
  const prepared = prepareSession(deps.config, input.client.userAgent);
  const asked = { tokenHash, userId };
  let answer = await deps.store.mfa.answer(asked, proof, prepared.session, rules, now);
  // The proof did not hold at the write: a wrong code after all, counted as one.
  if (answer.outcome === "refused") answer = await deps.store.mfa.answer(asked, undefined, prepared.session, rules, now);
  switch (answer.outcome) {
    case "signed_in":
      return completeSignIn(deps, userId, input.client, prepared, now);
    case "spent":
      throw invalidToken();
    case "throttled":
      throw throttledFor(rules, answer.counts, now);
    case "wrong":
    case "refused":
      throw invalidCode();
  }
}
