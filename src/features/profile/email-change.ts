/**
 * An email change through PUT/PATCH profile. It needs the caller's password in
 * `current_password`, in every verification mode, so that a stolen access token cannot move the
 * account to another mailbox; and its mail counts against THROTTLE_EMAIL for the user. Both slots
 * (THROTTLE_PASSWORD_CHECK's and the mail's) are reserved in the batch that reads the caller,
 * before any hash is computed and before anything is written; a refused change gives back the
 * slots that did not count. With EMAIL_VERIFICATION=none the change takes effect in the update's
 * batch: every other session of the user ends there and the old address gets a notice. Otherwise
 * the new address is held as `pending_email` and gets a key naming the requesting session, which
 * the confirmation keeps alive (src/features/registration/email-verification.service.ts).
 */
import type { BatchItem } from "drizzle-orm/batch";
import { passwordCheckSlot, passwordCheckStatements, verifyCurrentPassword } from "../../auth/current-password";
import { type MailAsk, mailSlotStatements, mailSlotsOf, recipientMailRule, userMailRules } from "../../auth/mail-limits";
import { reserveMailSlots } from "../../db/mail-throttle";
import type { UserRow } from "../../db/schema";
import { type WindowCount, releaseSlots } from "../../db/throttle";
import { type RevokedFamily, revokeOtherFamiliesOf } from "../../db/token-families";
import { type ProfileChanges, userHolding } from "../../db/users";
import { ValidationFailed } from "../../http/errors";
import type { CallerDeps } from "../../lib/deps";
import { emailChangeNotice } from "../../mail/messages";
import { sendVerification } from "../registration/email-verification.service";
import { forgetFamilies } from "../tokens/tokens.service";
import type { ProfileBody } from "./profile.schemas";

const REQUIRED = { current_password: ["This field is required."] };
const INCORRECT = { current_password: ["The password is incorrect."] };

type Slot = { id: number };
type Reservations = [Slot[], WindowCount[], (Slot & { key: string })[], WindowCount[]];

/** What an email change mails now (the confirmation, or with `none` the notice), charged to the user; a confirmation's notice is charged when it is sent. */
const requesterAsk = (deps: CallerDeps): MailAsk => ({ requester: userMailRules(deps.config, deps.caller.id) });

/**
 * Statements for the batch that reads the caller: the password's and the mail's slots, when the
 * body names an email and a password (whether the email differs is known only from the row that
 * batch reads: a body naming the current address gives its slots back).
 */
export function emailChangeReservations(deps: CallerDeps, body: ProfileBody, now: number): BatchItem<"sqlite">[] {
  if (body.email === undefined || body.current_password === undefined) return [];
  return [...passwordCheckStatements(deps, now), ...mailSlotStatements(deps.db, requesterAsk(deps), now)];
}

/** An email change admitted: the address wanted, the user's mail slot (given back if nothing is mailed in the end), and the right password's slot (given back with the update). */
export interface EmailChange {
  wanted: string;
  mailSlots: number[];
  passwordSlot: number[];
}

/** Gives slots back, after the response. */
function giveBack(deps: CallerDeps, ids: number[]): void {
  if (ids.length > 0) deps.defer(releaseSlots(deps.db, ids).run());
}

/** Gives back every slot the reservations reserved (the body was refused before they mattered). */
export function releaseReservations(deps: CallerDeps, results: unknown[]): void {
  const [passwordSlots = [], , mailSlots = []] = results as Partial<Reservations>;
  giveBack(deps, [...passwordSlots, ...mailSlots].map((slot) => slot.id));
}

/**
 * After the first batch: whether the body changes the email (to an address that differs, ignoring
 * case, from `user`'s); if it does, its password proven and its mail slot held, or the refusal
 * (400 without or with a wrong password, 429 past either limit) with nothing applied.
 */
export async function admitEmailChange(deps: CallerDeps, user: UserRow, body: ProfileBody, results: unknown[], now: number): Promise<EmailChange | undefined> {
  const wanted = body.email;
  if (wanted === undefined || wanted.toLowerCase() === user.email.toLowerCase()) {
    releaseReservations(deps, results);
    return undefined;
  }
  if (body.current_password === undefined) throw new ValidationFailed(REQUIRED);
  const [passwordSlots, passwordCounts, mailSlots, mailCounts] = results as Reservations;
  // The slots a refusal gives back: at first all those reserved (past either limit, the other
  // limit's slot did not count); once both are held, only the mail's (a wrong password counts).
  let counted = [...passwordSlots, ...mailSlots].map((slot) => slot.id);
  try {
    const passwordSlot = passwordCheckSlot(deps, [passwordSlots, passwordCounts], now);
    const mail = mailSlotsOf(requesterAsk(deps), [mailSlots, mailCounts], now).requesterSlots;
    counted = mail;
    await verifyCurrentPassword(user, body.current_password, INCORRECT);
    return { wanted, mailSlots: mail, passwordSlot };
  } catch (error) {
    giveBack(deps, counted);
    throw error;
  }
}

/** An admitted change's part of the update's batch, and what to do once that batch has run or failed. */
export interface EmailChangeWrites {
  /** To run before the row's update, in its batch. */
  statements: BatchItem<"sqlite">[];
  /** The batch ran: `results` are those statements' results, `after` the updated row, `before` the row just before (same transaction). */
  done(after: UserRow, results: unknown[], before: UserRow): void;
  /** The batch failed (nothing was applied, nothing is mailed). */
  failed(): void;
}

/**
 * What an admitted change adds to the update: `changes` gets the address (or, with verification
 * on, the pending address); with `none` the other sessions end and the old address's notice is
 * counted in the same batch; otherwise the new address's confirmation is. A mail its recipient's
 * limit withholds gives the user's slot back: nothing was mailed.
 */
export function emailChangeWrites(deps: CallerDeps, user: UserRow, change: EmailChange, changes: ProfileChanges, address: string, now: number): EmailChangeWrites {
  const { db, config, caller } = deps;
  // The right password's slot is given back in the update's batch (no round trip of its own).
  const passwordBack = releaseSlots(db, change.passwordSlot);
  const failed = () => giveBack(deps, [...change.mailSlots, ...change.passwordSlot]);
  // Sends when the recipient's slot was reserved; otherwise nothing is mailed, and the user's slot goes back.
  const sendIfReserved = (slots: unknown, send: () => void) => ((slots as unknown[]).length > 0 ? send() : giveBack(deps, change.mailSlots));
  if (config.emailVerification !== "none") {
    changes.pendingEmail = change.wanted;
    // The new address is nobody's yet: no known address passes its limit, so no set of accounts can flood it.
    const confirmation = reserveMailSlots(db, { requester: [], recipient: { rule: recipientMailRule(config, change.wanted) } }, now);
    return {
      statements: [confirmation, passwordBack],
      done(after, [slots]) {
        sendIfReserved(slots, () => sendVerification(deps, { id: after.id, username: after.username, email: change.wanted, session: caller.identity.sessionId }));
      },
      failed,
    };
  }
  // Nobody has confirmed the new address: a verified old one must not lend it its standing (the
  // recipient's limit lets a known address through only to a verified address).
  changes.email = change.wanted;
  changes.emailVerified = false;
  const revoke = revokeOtherFamiliesOf(db, caller.id, caller.identity.sessionId);
  // The notice to the address read by the first batch, counted only while the row still holds it.
  const notice = user.email
    ? [reserveMailSlots(db, { requester: [], recipient: { rule: recipientMailRule(config, user.email), account: userHolding(caller.id, user.email), from: address } }, now)]
    : [];
  return {
    statements: [revoke, passwordBack, ...notice],
    done(after, [revoked, , slots = []], before) {
      forgetFamilies(deps, revoked as RevokedFamily[]);
      // The address replaced is the one the row held just before the update (same transaction):
      // a concurrent change may have set another since the first batch read it.
      const old = before.email;
      const notify = () => deps.mail.send(emailChangeNotice(old, after.username, change.wanted));
      const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
      // Nothing replaced: nobody to tell.
      if (!old || same(old, change.wanted)) giveBack(deps, change.mailSlots);
      else if (same(old, user.email)) sendIfReserved(slots, notify);
      else {
        // Set by a concurrent change: counted against its own limit now (no known address passes:
        // the account no longer holds it).
        const late = reserveMailSlots(db, { requester: [], recipient: { rule: recipientMailRule(config, old) } }, now);
        deps.defer(late.then((reserved) => sendIfReserved(reserved, notify)));
      }
    },
    failed,
  };
}
