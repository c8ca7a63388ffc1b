/**
 * THROTTLE_EMAIL: every mail counts against whoever asked for it (a client address, or a
 * signed-in user) and, separately, against its recipient. Over the requester's limit the request
 * is refused (429) before anything else; the recipient's limit never refuses anything: over it,
 * nothing more is sent to that address in the window and the answer stays the same, unless the
 * request comes from an address known to the account the mail is for and that account has
 * verified the address (or the mail is its verification). So a stranger can spend a recipient's
 * quota but never stop its owner's reset or verification mail, and an account holding a
 * stranger's address unverified cannot mail it past its limit.
 */
import type { Config } from "../config";
import type { MailAsk, MailReservation, ThrottleRule } from "../store";
import { perAddress, throttledFor } from "./throttling";

/** Mail asked for from one client address (password reset, resend). */
export function addressMailRules(config: Config, address: string): ThrottleRule[] {
  return perAddress("email-from", address, config.throttle.email);
}

/** Mail asked for by one signed-in user (an email change's confirmation and notice). */
export function userMailRules(config: Config, userId: number): ThrottleRule[] {
  return [{ key: `email-from-user:${userId}`, ...config.throttle.email }];
}

/**
 * The mailbox an address delivers to, as far as it can be told from the address: lowercased,
 * without a `+tag`, and for Gmail without dots (googlemail.com is gmail.com). Variants of one
 * address would otherwise each get their own recipient limit.
 */
function canonicalMailbox(address: string): string {
  const lower = address.toLowerCase();
  const at = lower.lastIndexOf("@");
  if (at < 0) return lower;
  const written = lower.slice(at + 1);
  const domain = written === "googlemail.com" ? "gmail.com" : written;
  const local = lower.slice(0, at).split("+")[0]!;
  return `${domain === "gmail.com" ? local.replaceAll(".", "") : local}@${domain}`;
}

/** Mail sent to one address, counted per mailbox (the mail still goes to the address as written). */
export function recipientMailRule(config: Config, recipient: string): ThrottleRule {
  return { key: `email-to:${canonicalMailbox(recipient)}`, ...config.throttle.email };
}

export interface MailSlots {
  /** Whether the mail may go to its recipient. */
  send: boolean;
  /** The requester's slots, to give back if the request ends up sending nothing. */
  requesterSlots: number[];
}

/** What a mail reservation decided; the 429 when the requester is over its limit. */
export function mailSlotsOf(ask: MailAsk, { slots: reserved, counts }: MailReservation, now: number): MailSlots {
  const requesterKeys = new Set(ask.requester.map((rule) => rule.key));
  const requesterSlots = reserved.filter((slot) => requesterKeys.has(slot.key)).map((slot) => slot.id);
  if (!ask.requesterUnchecked && ask.requester.length > 0 && requesterSlots.length === 0) throw throttledFor(ask.requester, counts, now);
  return { send: ask.recipient !== undefined && reserved.some((slot) => slot.key === ask.recipient!.rule.key), requesterSlots };
}
