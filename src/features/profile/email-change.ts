/**
 * An email change through PUT/PATCH profile. It needs the caller's password in
 * `current_password`, in every verification mode, so that a stolen access token cannot move the
 * account to another mailbox; and its mail counts against THROTTLE_EMAIL for the user. Both slots
 * (THROTTLE_PASSWORD_CHECK's and the mail's) are reserved in the read of the caller, before any
 * hash is computed and before anything is written; a refused change gives back the slots that
 * did not count. With EMAIL_VERIFICATION=none the change takes effect in the update: every other
 * session of the user ends there and the old address gets a notice. Otherwise the new address is
 * held as `pending_email` and gets a key naming the requesting session, which the confirmation
 * keeps alive (src/features/registration/email-verification.service.ts).
 */
import { passwordCheckSlot, verifyCurrentPassword } from "../../auth/current-password";
import { mailSlotsOf, recipientMailRule, userMailRules } from "../../auth/mail-limits";
import { publishEnded } from "../../auth/revocations";
import { passwordCheckRules } from "../../auth/throttling";
import { ValidationFailed } from "../../http/errors";
import type { CallerDeps } from "../../lib/deps";
import { emailChangeNotice } from "../../mail/messages";
import { sendVerification } from "../../mail/verification-mail";
import type { EmailChangeAsk, MailAsk, MailReservation, ProfileChanges, ProfileEffects, Reservation, UserRow } from "../../store";
import type { ProfileBody } from "./profile.schemas";

const REQUIRED = { current_password: ["This field is required."] };
const INCORRECT = { current_password: ["The password is incorrect."] };

/** What an email change mails now (the confirmation, or with `none` the notice), charged to the user; a confirmation's notice is charged when it is sent. */
const requesterAsk = (deps: CallerDeps): MailAsk => ({ requester: userMailRules(deps.config, deps.caller.identity.id) });

/** What the caller's first read reserves when the body names an email and a password (whether the email differs is known only from the row it reads). */
export function emailChangeAsk(deps: CallerDeps, body: ProfileBody): EmailChangeAsk | undefined {
  if (body.email === undefined || body.current_password === undefined) return undefined;
  return { password: passwordCheckRules(deps.config, deps.caller.identity.id), mail: requesterAsk(deps) };
}

/** What the first read reserved for an email change. */
export interface EmailChangeReservations {
  password?: Reservation;
  mail?: MailReservation;
}

/** An email change admitted: the address wanted, the user's mail slot (given back if nothing is mailed in the end), and the right password's slot (given back with the update). */
export interface EmailChange {
  wanted: string;
  mailSlots: number[];
  passwordSlot: number[];
}

/** Gives slots back, after the response. */
function giveBack(deps: CallerDeps, ids: number[]): void {
  if (ids.length > 0) deps.defer(deps.caller.releaseSlots(ids));
}

/** Gives back every slot the first read reserved (the body was refused before they mattered). */
export function releaseReservations(deps: CallerDeps, { password, mail }: EmailChangeReservations): void {
  giveBack(deps, [...(password?.slots ?? []), ...(mail?.slots.map((slot) => slot.id) ?? [])]);
}

/**
 * After the first read: whether the body changes the email (to an address that differs, ignoring
 * case, from `user`'s); if it does, its password proven and its mail slot held, or the refusal
 * (400 without or with a wrong password, 429 past either limit) with nothing applied.
 */
export async function admitEmailChange(deps: CallerDeps, user: UserRow, body: ProfileBody, reserved: EmailChangeReservations, now: number): Promise<EmailChange | undefined> {
  const wanted = body.email;
  if (wanted === undefined || wanted.toLowerCase() === user.email.toLowerCase()) {
    releaseReservations(deps, reserved);
    return undefined;
  }
  if (body.current_password === undefined) throw new ValidationFailed(REQUIRED);
  const { password, mail } = reserved as Required<EmailChangeReservations>;
  // The slots a refusal gives back: at first all those reserved (past either limit, the other
  // limit's slot did not count); once both are held, only the mail's (a wrong password counts).
  let counted = [...password.slots, ...mail.slots.map((slot) => slot.id)];
  try {
    const passwordSlot = passwordCheckSlot(deps, password, now);
    const mailSlots = mailSlotsOf(requesterAsk(deps), mail, now).requesterSlots;
    counted = mailSlots;
    await verifyCurrentPassword(user, body.current_password, INCORRECT);
    return { wanted, mailSlots, passwordSlot };
  } catch (error) {
    giveBack(deps, counted);
    throw error;
  }
}

/** An admitted change's part of the update, and what to do once it has run or failed. */
export interface EmailChangeWrites {
  effects: ProfileEffects;
  /** The update ran: `before` and `after` are the row just before and after it (same transaction). */
  done(result: { before: UserRow; after: UserRow; ended: EndedSessions; mailGoes: boolean }): void;
  /** The update failed (nothing was applied, nothing is mailed). */
  failed(): void;
}

type EndedSessions = Parameters<typeof publishEnded>[1];

/**
 * What an admitted change adds to the update: `changes` gets the address (or, with verification
 * on, the pending address); with `none` the other sessions end and the old address's notice is
 * counted in the same write; otherwise the new address's confirmation is. A mail its recipient's
 * limit withholds gives the user's slot back: nothing was mailed.
 */
export function emailChangeWrites(deps: CallerDeps, user: UserRow, change: EmailChange, changes: ProfileChanges, address: string): EmailChangeWrites {
  const { config, caller } = deps;
  const failed = () => giveBack(deps, [...change.mailSlots, ...change.passwordSlot]);
  // Sends when the recipient's slot was reserved; otherwise nothing is mailed, and the user's slot goes back.
  const sendIf = (goes: boolean, send: () => void) => (goes ? send() : giveBack(deps, change.mailSlots));
  // The right password's slot is given back in the update itself (no round trip of its own).
  const releaseSlots = change.passwordSlot;
  if (config.emailVerification !== "none") {
    changes.pendingEmail = change.wanted;
    return {
      // The new address is nobody's yet: no known address passes its limit, so no set of accounts can flood it.
      effects: { releaseSlots, mail: { requester: [], recipient: { rule: recipientMailRule(config, change.wanted) } } },
      done({ after, mailGoes }) {
        sendIf(mailGoes, () => sendVerification(deps, { id: after.id, username: after.username, email: change.wanted, session: caller.identity.sessionId }));
      },
      failed,
    };
  }
  // Nobody has confirmed the new address: a verified old one must not lend it its standing (the
  // recipient's limit lets a known address through only to a verified address).
  changes.email = change.wanted;
  changes.emailVerified = false;
  // The notice to the address the first read saw, counted only while the row still holds it.
  const notice: MailAsk | undefined = user.email
    ? { requester: [], recipient: { rule: recipientMailRule(config, user.email), account: { id: user.id, holding: user.email }, from: address } }
    : undefined;
  return {
    effects: { releaseSlots, endOtherSessions: true, mail: notice },
    done({ before, after, ended, mailGoes }) {
      publishEnded(deps, ended);
      // The address replaced is the one the row held just before the update (same transaction):
      // a concurrent change may have set another since the first read.
      const old = before.email;
      const notify = () => deps.mail.send(emailChangeNotice(old, after.username, change.wanted));
      const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
      // Nothing replaced: nobody to tell.
      if (!old || same(old, change.wanted)) giveBack(deps, change.mailSlots);
      else if (same(old, user.email)) sendIf(mailGoes, notify);
      else {
        // Set by a concurrent change: counted against its own limit now (no known address passes:
        // the account no longer holds it).
        const late: MailAsk = { requester: [], recipient: { rule: recipientMailRule(config, old) } };
        deps.defer(caller.countMail(late, Date.now()).then(({ mail }) => sendIf(mail.slots.length > 0, notify)));
      }
    },
    failed,
  };
}
