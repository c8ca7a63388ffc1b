/**
 * Registration in DRF's order: field checks (zod, then uniqueness), then the object-level checks
 * (passwords match, Django's validators), then one hash and one insert. The database's unique
 * indexes have the last word, so of two racing registrations exactly one succeeds.
 */
import { hashPassword } from "../../auth/passwords/hashers";
import { type TurnstileAnswer, checkTurnstile } from "../../auth/turnstile";
import { registerRules, throttledFor } from "../../auth/throttling";
import { passwordProblems } from "../../auth/passwords/validators";
import { recipientMailRule } from "../../auth/mail-limits";
import { type FieldErrors, ValidationFailed } from "../../http/errors";
import type { Deps } from "../../lib/deps";
import { takenErrors } from "../../http/taken-errors";
import { sendVerification } from "../../mail/verification-mail";
import type { RegisterBody } from "./registration.schemas";

/** Registers a user; Turnstile (when on), then registrations per address are throttled, before anything is hashed. */
export async function register(deps: Deps, { user: input, address, turnstile }: { user: RegisterBody; address: string; turnstile: TurnstileAnswer }): Promise<void> {
  const { store, config } = deps;
  // Before anything is counted, written or hashed.
  await checkTurnstile(config, turnstile);
  const now = Date.now();
  const throttle = registerRules(config, address);
  const { reservation, taken } = await store.accounts.checkRegistration(input, throttle, now);
  if (reservation.slots.length === 0) throw throttledFor(throttle, reservation.counts, now);
  if (taken.size > 0) throw new ValidationFailed(takenErrors(taken));

  const errors: FieldErrors = {};
  if (input.password !== input.password2) errors.password2 = ["The two password fields didn't match."];
  const problems = await passwordProblems(input.password, { username: input.username, email: input.email });
  if (problems.length > 0) errors.password = problems;
  if (Object.keys(errors).length > 0) throw new ValidationFailed(errors);

  // With the user: the address it registers from, known to it from now on (so nobody can stop its
  // verification mail from there), and that mail counted against its recipient. The registration
  // limit covers the mail for the requester, and a known address is never held back by the
  // recipient's: it always goes.
  const mails = config.emailVerification !== "none";
  const result = await store.accounts.register(
    { username: input.username, email: input.email, password: hashPassword(input.password), dateJoined: new Date(now) },
    { address, mail: mails ? recipientMailRule(config, input.email) : undefined },
    now,
  );
  if ("taken" in result) throw new ValidationFailed(takenErrors([result.taken]));
  sendVerification(deps, { id: result.id, username: input.username, email: input.email });
}
