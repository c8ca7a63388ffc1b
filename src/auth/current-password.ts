/**
 * Checks the signed-in caller's current password (password change, account deletion), with
 * THROTTLE_PASSWORD_CHECK per user: the slot is reserved in the same batch that reads the
 * caller, before any hash is computed, so a stolen access token buys a handful of guesses at
 * most, however many requests run at once. A correct password gives its slot back.
 */
import { reserveSlots, releaseSlots, windowCounts } from "../db/throttle";
import type { UserRow } from "../db/schema";
import { type FieldErrors, ValidationFailed } from "../http/errors";
import type { CallerDeps } from "../lib/deps";
import { verifyPassword } from "./passwords/hashers";
import { passwordCheckRules, throttledFor } from "./throttling";

/** The caller's row once `password` is proven right; `wrong` is the field error when it is not. */
export async function checkCurrentPassword(deps: CallerDeps, password: string, wrong: FieldErrors): Promise<UserRow> {
  const { caller, db } = deps;
  const now = Date.now();
  const rules = passwordCheckRules(deps.config, caller.id);
  const { caller: user, results: [reserved, counts] } = await caller.batch([
    reserveSlots(db, rules, now),
    windowCounts(db, rules, now),
  ]);
  if (reserved.length === 0) throw throttledFor(rules, counts, now);
  const check = await verifyPassword(password, user.password);
  if (!check.valid) throw new ValidationFailed(wrong);
  deps.defer(releaseSlots(db, reserved.map((slot) => slot.id)).run());
  return user;
}
