/**
 * The verification mail (registration, resend, an email change's confirmation): a key for the
 * address, mailed after the response; nothing with EMAIL_VERIFICATION=none. Callers count it
 * against THROTTLE_EMAIL first.
 */
import { type KeySubject, makeVerificationKey } from "../auth/verification-keys";
import { signingSecret } from "../config";
import type { BaseDeps } from "../lib/deps";
import { verificationMessage } from "./messages";

/** Mails a verification key for `subject.email` (with the session that asked, for an email change). */
export function sendVerification(deps: BaseDeps, subject: KeySubject & { username: string }): void {
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
