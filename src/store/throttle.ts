/** What throttling asks of the store: rules to reserve slots under, and what a reservation answers. */

export interface ThrottleRule {
  key: string;
  limit: number;
  periodMs: number;
  /** The rule does not apply (neither checked nor counted) when this address logged into this account lately. */
  unlessKnown?: { username: string; address: string };
}

/** How long a successful login makes its address "known" to the account. */
export const KNOWN_ADDRESS_MS = 30 * 86_400_000;

/** Attempts inside a key's window, and the oldest of them (when its next slot frees). */
export interface WindowCount {
  key: string;
  attempts: number;
  oldest: number | null;
}

/**
 * Slots taken under every applying rule at once, or none when any rule was full (nothing is
 * counted then); `counts` tell a refused request when to come back.
 */
export interface Reservation {
  slots: number[];
  counts: WindowCount[];
}

/** The account a mail is for: without it (or when it is gone) nothing is sent or counted. */
export type MailAccount =
  /** The active user holding the address (a password reset), or the unverified one (a new verification mail). */
  | { holderOf: string; unverified?: boolean }
  /** User `id`, while their email is still `holding` and their pending address still `pending` (each when given). */
  | { id: number; holding?: string; pending?: string };

export interface MailRecipient {
  /** `email-to:<address>` and THROTTLE_EMAIL. */
  rule: ThrottleRule;
  account?: MailAccount;
  /**
   * The requesting client's address: known to that account, it is not held back by the
   * recipient's limit, provided the account has verified its address (anyone can put a stranger's
   * address on an account of their own, and that account knows their address).
   */
  from?: string;
  /** A verification mail: the address is what it verifies, so a known `from` passes unverified. */
  verification?: boolean;
}

/** A mail to count: against whoever asked, and separately against its recipient (THROTTLE_EMAIL). */
export interface MailAsk {
  /** Whoever asked (an address, a signed-in user): over any of these limits the request is refused. */
  requester: ThrottleRule[];
  /** Counts the requester without holding it back (a notice of something already done): then only when the mail goes. */
  requesterUnchecked?: boolean;
  recipient?: MailRecipient;
}

/** The slots a mail reservation took (a recipient key among them means "send"), and the requester's counts. */
export interface MailReservation {
  slots: { id: number; key: string }[];
  counts: WindowCount[];
}
