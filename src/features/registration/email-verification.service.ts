/**
 * Email verification (django-allauth's EMAIL_VERIFICATION = none | optional | mandatory): a key
 * mailed at registration and on request, and its confirmation. With `none` nothing is mailed.
 * Confirming a pending address (an email change) makes it the email, tells the old address, and
 * ends every other session of the user but the one that asked for the change (named by the key).
 */
import { type TurnstileAnswer, checkTurnstile } from "../../auth/turnstile";
import { addressMailRules, mailSlotsOf, recipientMailRule, userMailRules } from "../../auth/mail-limits";
import { publishEnded } from "../../auth/revocations";
import { checkVerificationKey, verificationKeyUser } from "../../auth/verification-keys";
import { signingSecret } from "../../config";
import { NotFound, ValidationFailed } from "../../http/errors";
import { takenErrors } from "../../http/taken-errors";
import type { Deps } from "../../lib/deps";
import { emailChangeNotice } from "../../mail/messages";
import { sendVerification } from "../../mail/verification-mail";
import type { MailAsk } from "../../store";

/**
 * registration/verify-email: a live key for the user's current address verifies it; one for their
 * pending address makes it their email (400 if someone took it meanwhile); anything else is 404.
 * `address` is the client's (the old address's notice passes its recipient's limit from an
 * address known to the account).
 */
export async function verifyEmail(deps: Deps, { key, address }: { key: string; address: string }): Promise<void> {
  const { store, config } = deps;
  const named = verificationKeyUser(key);
  const user = named ? await store.accounts.activeUser(named.id) : undefined;
  if (!user) throw new NotFound();
  const secret = signingSecret(config);
  const timeout = config.emailVerificationTimeoutSeconds;
  if (await checkVerificationKey(key, user, secret, timeout)) {
    if (!(await store.accounts.markEmailVerified(user.id, user.email))) throw new NotFound();
    return;
  }
  // A pending address is confirmed only by the key mailed for it, which names the session that
  // asked: a key without one (a plain verification key) confirms no email change.
  const pending = user.pendingEmail;
  const session = named!.session;
  if (!pending || session === undefined || !(await checkVerificationKey(key, { id: user.id, email: pending }, secret, timeout))) throw new NotFound();
  await confirmChange(deps, { ...user, pending }, session, address);
}

/**
 * One batch, every statement conditioned on `pending` still being the user's pending address (so
 * of two racing confirmations only one ends sessions and mails): the other sessions end, the
 * notice is counted (charged to the user who asked for the change: it reports something done, so
 * nothing refuses it, but its recipient's limit may withhold it), and the address becomes the email.
 */
async function confirmChange(deps: Deps, user: { id: number; username: string; email: string; pending: string }, keep: string, address: string) {
  const { store, config } = deps;
  const notice: MailAsk | undefined = user.email
    ? {
        requester: userMailRules(config, user.id),
        requesterUnchecked: true,
        recipient: { rule: recipientMailRule(config, user.email), account: { id: user.id, holding: user.email, pending: user.pending }, from: address },
      }
    : undefined;
  const result = await store.accounts.confirmPendingEmail({ id: user.id, pending: user.pending, keepSession: keep, notice }, Date.now());
  if ("taken" in result) throw new ValidationFailed(takenErrors([result.taken]));
  if (!result.confirmed) throw new NotFound();
  publishEnded(deps, result.ended);
  if (result.noticeGoes) deps.mail.send(emailChangeNotice(user.email, user.username, user.pending));
}

/**
 * registration/resend-email: a new key for an unverified user's address; the same answer for any
 * address. THROTTLE_EMAIL: past the requesting address's limit, 429; past the recipient's, no
 * mail, unless the request comes from an address the account knows (its registration's, or one
 * it proved its password from).
 */
export async function resendVerification(deps: Deps, { email, address, turnstile }: { email: string; address: string; turnstile: TurnstileAnswer }): Promise<void> {
  const { store, config } = deps;
  await checkTurnstile(config, turnstile);
  const now = Date.now();
  const ask: MailAsk = {
    requester: addressMailRules(config, address),
    // With `none` nothing is mailed, so nothing is counted against the recipient.
    recipient: config.emailVerification === "none" ? undefined : { rule: recipientMailRule(config, email), account: { holderOf: email, unverified: true }, from: address, verification: true },
  };
  const { mail, user } = await store.accounts.resendRequest(ask, email, now);
  if (mailSlotsOf(ask, mail, now).send && user) sendVerification(deps, user);
}
