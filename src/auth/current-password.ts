/**
 * Checks the signed-in caller's current password (password change, account deletion, email
 * change), with THROTTLE_PASSWORD_CHECK per user: the slot is reserved in the same batch that
 * reads the caller, before any hash is computed, so a stolen access token buys a handful of
 * guesses at most, however many requests run at once. A correct password gives its slot back.
 */
import { type WindowCount, reserveSlots, releaseSlots, windowCounts } from "../db/throttle";
import type { UserRow } from "../db/schema";
import { type FieldErrors, ValidationFailed } from "../http/errors";
import type { CallerDeps } from "../lib/deps";
import { verifyPassword } from "./passwords/hashers";
import { passwordCheckRules, throttledFor } from "./throttling";

/** The statements that reserve a check's slot, for a batch of the caller (one that reads their row). */
export function passwordCheckStatements(deps: CallerDeps, now: number) {
  const rules = passwordCheckRules(deps.config, deps.caller.id);
  return [reserveSlots(deps.db, rules, now), windowCounts(deps.db, rules, now)] as const;
}

type CheckResults = readonly [{ id: number }[], WindowCount[]];

/** The slot those statements reserved; the 429 when the caller is over the limit. */
export function passwordCheckSlot(deps: CallerDeps, [reserved, counts]: CheckResults, now: number): number[] {
  if (reserved.length === 0) throw throttledFor(passwordCheckRules(deps.config, deps.caller.id), counts, now);
  return reserved.map((slot) => slot.id);
}

/** Hashes `password` against the caller's row: wrong, it is `wrong` (its slot stays counted). A right one's slot is the caller's to give back. */
export async function verifyCurrentPassword(user: UserRow, password: string, wrong: FieldErrors): Promise<void> {
  const check = await verifyPassword(password, user.password);
  if (!check.valid) throw new ValidationFailed(wrong);
}

/** The caller's row once `password` is proven right (its slot given back); `wrong` is the field error when it is not. */
export async function checkCurrentPassword(deps: CallerDeps, password: string, wrong: FieldErrors): Promise<UserRow> {
  const now = Date.now();
  const { caller: user, results } = await deps.caller.batch(passwordCheckStatements(deps, now));
  const slot = passwordCheckSlot(deps, results, now);
  await verifyCurrentPassword(user, password, wrong);
  deps.defer(releaseSlots(deps.db, slot).run());
  return user;
}
