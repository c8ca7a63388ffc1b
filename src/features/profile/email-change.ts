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
import { releaseSlots } from "../../db/throttle";
import { type RevokedFamily, revokeOtherFamiliesOf } from "../../db/token-families";
import { type ProfileChanges, userWithId } from "../../db/users";
import { ValidationFailed } from "../../http/errors";
import type { CallerDeps } from "../../lib/deps";
import { emailChangeNotice } from "../../mail/messages";
import { sendVerification } from "../registration/email-verification.service";
import { forgetFamilies } from "../tokens/tokens.service";
import type { ProfileBody } from "./profile.schemas";

const REQUIRED = { current_password: ["This field is required."] };
const INCORRECT = { current_password: ["The password is incorrect."] };

type Slot = { id: number };
type Counts = { key: string; attempts: number; oldest: number | null }[];
type Reservations = [Slot[], Counts, (Slot & { key: string })[], Counts];

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
  let passwordSlot: number[];
  try {
    passwordSlot = passwordCheckSlot(deps, [passwordSlots, passwordCounts], now);
  } catch (error) {
    giveBack(deps, mailSlots.map((slot) => slot.id));
    throw error;
  }
  let mail: number[];
  try {
    mail = mailSlotsOf(requesterAsk(deps), [mailSlots, mailCounts], now).requesterSlots;
  } catch (error) {
    giveBack(deps, passwordSlot);
    throw error;
  }
  try {
    await verifyCurrentPassword(user, body.current_password, INCORRECT);
  } catch (error) {
    giveBack(deps, mail);
    throw error;
  }
  return { wanted, mailSlots: mail, passwordSlot };
}

/** An admitted change's part of the update's batch, and what to do once that batch has run or failed. */
export interface EmailChangeWrites {
  /** To run before the row's update, in its batch. */
  statements: BatchItem<"sqlite">[];
  /** The batch ran: `results` are those statements' results, `after` the updated row. */
  done(after: UserRow, results: unknown[]): void;
  /** The batch failed (nothing was applied, nothing is mailed). */
  failed(): void;
}

/**
 * What an admitted change adds to the update: `changes` gets the address (or, with verification
 * on, the pending address); with `none` the other sessions end and the old address's notice is
 * counted in the same batch; otherwise the new address's confirmation is.
 */
export function emailChangeWrites(deps: CallerDeps, user: UserRow, change: EmailChange, changes: ProfileChanges, address: string, now: number): EmailChangeWrites {
  const { db, config, caller } = deps;
  // The right password's slot is given back in the update's batch (no round trip of its own).
  const passwordBack = releaseSlots(db, change.passwordSlot);
  const failed = () => giveBack(deps, [...change.mailSlots, ...change.passwordSlot]);
  if (config.emailVerification !== "none") {
    changes.pendingEmail = change.wanted;
    // The new address is nobody's yet: no known address passes its limit, so no set of accounts can flood it.
    const confirmation = reserveMailSlots(db, { requester: [], recipient: { rule: recipientMailRule(config, change.wanted) } }, now);
    return {
      statements: [confirmation, passwordBack],
      done(after, [slots]) {
        if ((slots as unknown[]).length > 0) {
          sendVerification(deps, { id: after.id, username: after.username, email: change.wanted, session: caller.identity.sessionId });
        }
      },
      failed,
    };
  }
  changes.email = change.wanted;
  const revoke = revokeOtherFamiliesOf(db, caller.id, caller.identity.sessionId);
  if (!user.email) {
    // No old address to tell: the slot asked for nothing.
    return {
      statements: [revoke, passwordBack],
      done(_, [revoked]) {
        forgetFamilies(deps, revoked as RevokedFamily[]);
        giveBack(deps, change.mailSlots);
      },
      failed,
    };
  }
  const notice = reserveMailSlots(db, { requester: [], recipient: { rule: recipientMailRule(config, user.email), account: userWithId(caller.id), from: address } }, now);
  return {
    statements: [revoke, notice, passwordBack],
    done(after, [revoked, slots]) {
      forgetFamilies(deps, revoked as RevokedFamily[]);
      if ((slots as unknown[]).length > 0) deps.mail.send(emailChangeNotice(user.email, after.username, change.wanted));
    },
    failed,
  };
}
