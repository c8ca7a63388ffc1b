/**
 * Email verification (django-allauth's EMAIL_VERIFICATION = none | optional | mandatory): a key
 * mailed at registration and on request, and its confirmation. With `none` nothing is mailed.
 * Confirming a pending address (an email change) makes it the email, tells the old address, and
 * ends every other session of the user but the one that asked for the change (named by the key).
 */
import { type MailAsk, addressMailRules, mailSlotStatements, mailSlotsOf, recipientMailRule, userMailRules } from "../../auth/mail-limits";
import { type KeySubject, checkVerificationKey, makeVerificationKey, verificationKeyUser } from "../../auth/verification-keys";
import { signingSecret } from "../../config";
import { reserveMailSlots } from "../../db/mail-throttle";
import { revokeOtherFamiliesOf } from "../../db/token-families";
import { orTakenField } from "../../db/unique-violation";
import { activeUserById, confirmPendingEmail, markEmailVerified, pendingFrom, stillPending, unverifiedHolderOf, unverifiedUserByEmail } from "../../db/users";
import { NotFound, ValidationFailed } from "../../http/errors";
import { takenErrors } from "../users/taken-errors";
import type { Deps } from "../../lib/deps";
import { emailChangeNotice, verificationMessage } from "../../mail/messages";
import { forgetFamilies } from "../tokens/tokens.service";

/**
 * Mails a verification key for `subject.email` (with the session that asked, for an email
 * change), after the response; nothing with EMAIL_VERIFICATION=none. Callers have counted it.
 */
export function sendVerification(deps: Deps, subject: KeySubject & { username: string }): void {
  const { config } = deps;
  if (config.emailVerification === "none" || !subject.email) return;
  deps.defer(
    (async () => {
      const key = await makeVerificationKey(subject, signingSecret(config));
      const url = `${config.publicUrl}/account/verify-email/${key}/`;
      deps.mail.send(verificationMessage(subject.email, subject.username, url, Math.round(config.emailVerificationTimeoutSeconds / 3600)));
    })(),
  );
}

/**
 * registration/verify-email: a live key for the user's current address verifies it; one for their
 * pending address makes it their email (400 if someone took it meanwhile); anything else is 404.
 * `address` is the client's (the old address's notice passes its recipient's limit from an
 * address known to the account).
 */
export async function verifyEmail(deps: Deps, { key, address }: { key: string; address: string }): Promise<void> {
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
  const { db, config } = deps;
  const now = Date.now();
  const revoke = revokeOtherFamiliesOf(db, user.id, keep, stillPending(db, user.id, user.pending));
  const notice: MailAsk = {
    requester: userMailRules(config, user.id),
    requesterUnchecked: true,
    recipient: { rule: recipientMailRule(config, user.email), account: pendingFrom(user.id, user.email, user.pending), from: address },
  };
  const result = await orTakenField(async () => {
    if (!user.email) {
      const [revoked, confirmed] = await db.batch([revoke, confirmPendingEmail(db, user.id, user.pending)]);
      return { revoked, confirmed, send: false };
    }
    const [revoked, slots, confirmed] = await db.batch([revoke, reserveMailSlots(db, notice, now), confirmPendingEmail(db, user.id, user.pending)]);
    return { revoked, confirmed, send: slots.some((slot) => slot.key === notice.recipient!.rule.key) };
  });
  if ("taken" in result) throw new ValidationFailed(takenErrors([result.taken]));
  if (result.confirmed.length === 0) throw new NotFound();
  forgetFamilies(deps, result.revoked);
  if (result.send) deps.mail.send(emailChangeNotice(user.email, user.username, user.pending));
}

/**
 * registration/resend-email: a new key for an unverified user's address; the same answer for any
 * address. THROTTLE_EMAIL: past the requesting address's limit, 429; past the recipient's, no
 * mail, unless the request comes from an address the account knows (its registration's, or one
 * it proved its password from).
 */
export async function resendVerification(deps: Deps, { email, address }: { email: string; address: string }): Promise<void> {
  const { db, config } = deps;
  const now = Date.now();
  const ask: MailAsk = {
    requester: addressMailRules(config, address),
    // With `none` nothing is mailed, so nothing is counted against the recipient.
    recipient:
      config.emailVerification === "none" ? undefined : { rule: recipientMailRule(config, email), account: unverifiedHolderOf(email), from: address, verification: true },
  };
  const [reserved, counts, [user]] = await db.batch([...mailSlotStatements(db, ask, now), unverifiedUserByEmail(db, email)]);
  if (mailSlotsOf(ask, [reserved, counts], now).send && user) sendVerification(deps, user);
}
