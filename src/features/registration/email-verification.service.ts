/**
 * Email verification (django-allauth's EMAIL_VERIFICATION = none | optional | mandatory): a key
 * mailed at registration and on request, and its confirmation. With `none` nothing is mailed.
 */
import { emailRules, lookupWithinLimits } from "../../auth/throttling";
import { checkVerificationKey, makeVerificationKey, verificationKeyUser } from "../../auth/verification-keys";
import { signingSecret } from "../../config";
import { orTakenField } from "../../db/unique-violation";
import { activeUserById, confirmPendingEmail, markEmailVerified, unverifiedUserByEmail } from "../../db/users";
import { NotFound, ValidationFailed } from "../../http/errors";
import { takenErrors } from "../users/taken-errors";
import type { Deps } from "../../lib/deps";
import { verificationMessage } from "../../mail/messages";

/** Mails a verification key for `user.email`, after the response; nothing with EMAIL_VERIFICATION=none. */
export function sendVerification(deps: Deps, user: { id: number; username: string; email: string }): void {
  const { config } = deps;
  if (config.emailVerification === "none" || !user.email) return;
  deps.defer(
    (async () => {
      const key = await makeVerificationKey(user, signingSecret(config));
      const url = `${config.publicUrl}/account/verify-email/${key}/`;
      deps.mail.send(verificationMessage(user.email, user.username, url, Math.round(config.emailVerificationTimeoutSeconds / 3600)));
    })(),
  );
}

/**
 * registration/verify-email: a live key for the user's current address verifies it; one for their
 * pending address makes it their email (400 if someone took it meanwhile); anything else is 404.
 */
export async function verifyEmail(deps: Deps, { key }: { key: string }): Promise<void> {
  const { db, config } = deps;
  const named = verificationKeyUser(key);
  const [user] = named ? await activeUserById(db, named.id) : [];
  if (!user) throw new NotFound();
  const secret = signingSecret(config);
  const timeout = config.emailVerificationTimeoutSeconds;
  if (await checkVerificationKey(key, user, secret, timeout)) {
    if ((await markEmailVerified(db, user.id, user.email)).length === 0) throw new NotFound();
    return;
  }
  const pending = user.pendingEmail;
  if (!pending || !(await checkVerificationKey(key, { id: user.id, email: pending }, secret, timeout))) throw new NotFound();
  const result = await orTakenField(() => confirmPendingEmail(db, user.id, pending));
  if ("taken" in result) throw new ValidationFailed(takenErrors([result.taken]));
  if (result.length === 0) throw new NotFound();
}

/** registration/resend-email: a new key for an unverified user's address; the same answer for any address. */
export async function resendVerification(deps: Deps, { email, address }: { email: string; address: string }): Promise<void> {
  const { db, config } = deps;
  const [user] = await lookupWithinLimits(db, emailRules(config, address, email), unverifiedUserByEmail(db, email));
  if (user) sendVerification(deps, user);
}
