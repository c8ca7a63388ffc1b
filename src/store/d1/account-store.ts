/** D1's `AccountStore`: registration, password reset and email verification, each one batch. */
import type { AccountStore } from "../store";
import { mailSlotStatements, reserveMailSlots, countMail } from "./mail-throttle";
import type { Database } from "./client";
import { registrationAddress } from "./known-addresses";
import { forgetEventsAfterPassword, reserveSlots, windowCounts } from "./throttle";
import { revokeAllFamiliesOf, revokeOtherFamiliesOf } from "./token-families";
import { orTakenField } from "./unique-violation";
import {
  activeUserByEmail,
  activeUserById,
  confirmPendingEmail,
  insertUser,
  markEmailVerified,
  passwordReset,
  stillPending,
  takenFields,
  uniqueHolders,
  unverifiedUserByEmail,
} from "./users";

export function d1AccountStore(db: Database): AccountStore {
  return {
    async checkRegistration(wanted, rules, now) {
      const [slots, counts, holders] = await db.batch([reserveSlots(db, rules, now), windowCounts(db, rules, now), uniqueHolders(db, wanted)]);
      return { reservation: { slots: slots.map((slot) => slot.id), counts }, taken: takenFields(holders, wanted) };
    },

    register(user, { address, mail }, now) {
      // After the insert, in its batch, so they find the new row (and none lands if it is refused).
      return insertUser(db, user, [registrationAddress(db, user.username, address, now), ...(mail ? [countMail(db, mail, now)] : [])]);
    },

    async resetRequest(ask, email, now) {
      const [slots, counts, [user]] = await db.batch([...mailSlotStatements(db, ask, now), activeUserByEmail(db, email)]);
      return { mail: { slots, counts }, user };
    },

    async resendRequest(ask, email, now) {
      const [slots, counts, [user]] = await db.batch([...mailSlotStatements(db, ask, now), unverifiedUserByEmail(db, email)]);
      return { mail: { slots, counts }, user };
    },

    async activeUser(id) {
      const [user] = await activeUserById(db, id);
      return user;
    },

    async resetPassword(id, hashes, failures) {
      const [changed, ended] = await db.batch([
        passwordReset(db, id, hashes.expected, hashes.next),
        revokeAllFamiliesOf(db, id),
        forgetEventsAfterPassword(db, failures, { userId: id, hash: hashes.next }),
      ]);
      return { changed: changed.length > 0, ended };
    },

    async markEmailVerified(id, email) {
      return (await markEmailVerified(db, id, email)).length > 0;
    },

    confirmPendingEmail({ id, pending, keepSession, notice }, now) {
      // Every statement acts only while `pending` is still pending: of racing confirmations one acts.
      const revoke = revokeOtherFamiliesOf(db, id, keepSession, stillPending(db, id, pending));
      return orTakenField(async () => {
        if (!notice) {
          const [ended, confirmed] = await db.batch([revoke, confirmPendingEmail(db, id, pending)]);
          return { ended, confirmed: confirmed.length > 0, noticeGoes: false };
        }
        const [ended, slots, confirmed] = await db.batch([revoke, reserveMailSlots(db, notice, now), confirmPendingEmail(db, id, pending)]);
        const noticeGoes = slots.some((slot) => slot.key === notice.recipient?.rule.key);
        return { ended, confirmed: confirmed.length > 0, noticeGoes };
      });
    },
  };
}
