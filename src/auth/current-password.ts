/**
 * Checks the signed-in caller's current password (password change, account deletion, email
 * change), with THROTTLE_PASSWORD_CHECK per user: the slot is reserved in the same round trip
 * that reads the caller, before any hash is computed, so a stolen access token buys a handful of
 * guesses at most, however many requests run at once. A correct password gives its slot back.
 */
import { type FieldErrors, ValidationFailed } from "../http/errors";
import type { CallerDeps } from "../lib/deps";
import type { Reservation, UserRow } from "../store";
import { verifyPassword } from "./passwords/hashers";
import { passwordCheckRules, throttledFor } from "./throttling";

/** The slot a reservation took; the 429 when the caller is over the limit. */
export function passwordCheckSlot(deps: CallerDeps, { slots, counts }: Reservation, now: number): number[] {
  if (slots.length === 0) throw throttledFor(passwordCheckRules(deps.config, deps.caller.identity.id), counts, now);
  return slots;
}

/** Hashes `password` against the caller's row: wrong, it is `wrong` (its slot stays counted). A right one's slot is the caller's to give back. */
export async function verifyCurrentPassword(user: UserRow, password: string, wrong: FieldErrors): Promise<void> {
  const check = await verifyPassword(password, user.password);
  if (!check.valid) throw new ValidationFailed(wrong);
}

/** The caller's row once `password` is proven right (its slot given back); `wrong` is the field error when it is not. */
export async function checkCurrentPassword(deps: CallerDeps, password: string, wrong: FieldErrors): Promise<UserRow> {
  const now = Date.now();
  const { caller: user, reservation } = await deps.caller.reserve(passwordCheckRules(deps.config, deps.caller.identity.id), now);
  const slot = passwordCheckSlot(deps, reservation, now);
  await verifyCurrentPassword(user, password, wrong);
  deps.defer(deps.caller.releaseSlots(slot));
  return user;
}
