/**
 * Password reset (dj-rest-auth's routes): a request mails a Django-shaped reset link to an active
 * user's address, answering the same whatever the address; a confirmation with a live token sets
 * the new password, ends every session and marks the address verified.
 */
import { hashPassword } from "../../auth/passwords/hashers";
import { passwordProblems } from "../../auth/passwords/validators";
import { checkResetToken, decodeUid, encodeUid, makeResetToken } from "../../auth/reset-tokens";
import { loginFailureKeys } from "../../auth/throttling";
import { type TurnstileAnswer, checkTurnstile } from "../../auth/turnstile";
import { addressMailRules, mailSlotsOf, recipientMailRule } from "../../auth/mail-limits";
import { publishEnded } from "../../auth/revocations";
import { ValidationFailed } from "../../http/errors";
import type { Deps } from "../../lib/deps";
import { passwordResetMessage } from "../../mail/messages";
import type { MailAsk } from "../../store";
import { signingSecret } from "../../config";

/**
 * Mails a reset link when `email` is an active user's. THROTTLE_EMAIL: past the requesting
 * address's limit, 429; past the recipient's, the same answer and no mail, unless the request
 * comes from an address the account knows. One round trip either way, whoever the address is.
 */
export async function requestPasswordReset(deps: Deps, { email, address, turnstile }: { email: string; address: string; turnstile: TurnstileAnswer }): Promise<void> {
  const { store, config } = deps;
  await checkTurnstile(config, turnstile);
  const now = Date.now();
  const ask: MailAsk = {
    requester: addressMailRules(config, address),
    recipient: { rule: recipientMailRule(config, email), account: { holderOf: email }, from: address },
  };
  const { mail, user } = await store.accounts.resetRequest(ask, email, now);
  if (!mailSlotsOf(ask, mail, now).send || !user) return;
  // The token's HMAC and the message are made after the response, so both answers take the same time.
  deps.defer(
    (async () => {
      const token = await makeResetToken(user, signingSecret(config));
      const url = config.passwordResetUrl.replace("{uid}", encodeUid(user.id)).replace("{token}", token);
      deps.mail.send(passwordResetMessage(user.email, user.username, url, Math.round(config.passwordResetTimeoutSeconds / 60)));
    })(),
  );
}

export interface ResetConfirmation {
  uid: string;
  token: string;
  new_password1: string;
  new_password2: string;
}

const INVALID = ["Invalid value"];

/**
 * Sets the new password if the link is live; every session of the user ends, and the failed
 * logins counted against the username are forgotten (the owner proved they hold the mailbox, so
 * a distributed attack on the username no longer holds them back).
 */
export async function confirmPasswordReset(deps: Deps, body: ResetConfirmation): Promise<void> {
  const { store, config } = deps;
  const id = decodeUid(body.uid);
  const user = id === undefined ? undefined : await store.accounts.activeUser(id);
  if (!user) throw new ValidationFailed({ uid: INVALID });
  if (!(await checkResetToken(user, body.token, signingSecret(config), config.passwordResetTimeoutSeconds))) {
    throw new ValidationFailed({ token: INVALID });
  }
  // Django's SetPasswordForm: the mismatch first, then the validators, all under new_password2.
  if (body.new_password1 !== body.new_password2) throw new ValidationFailed({ new_password2: ["The two password fields didn’t match."] });
  const problems = await passwordProblems(body.new_password1, { username: user.username, email: user.email, first_name: user.firstName, last_name: user.lastName });
  if (problems.length > 0) throw new ValidationFailed({ new_password2: problems });
  const hash = hashPassword(body.new_password1);
  const { changed, ended } = await store.accounts.resetPassword(user.id, { expected: user.password, next: hash }, loginFailureKeys(user.username));
  publishEnded(deps, ended);
  // A concurrent reset or change won: this token was bound to the hash it replaced.
  if (!changed) throw new ValidationFailed({ token: INVALID });
}
