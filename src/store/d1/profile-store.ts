/**
 * D1's `ProfileStore`: a profile change reads the uniqueness holders (and an email change's
 * password and mail slots) in one batch with the caller, then writes the row with the email
 * change's effects in another.
 */
import type { BatchItem } from "drizzle-orm/batch";
import type { EndedSession } from "../rows";
import type { ProfileStore } from "../store";
import type { WindowCount } from "../throttle";
import type { CallerScope } from "./caller-scope";
import type { Database } from "./client";
import { mailSlotStatements, reserveMailSlots } from "./mail-throttle";
import { releaseSlots, reserveSlots, windowCounts } from "./throttle";
import { revokeOtherFamiliesOf } from "./token-families";
import { orTakenField } from "./unique-violation";
import { profileUpdate, takenFields, uniqueHolders } from "./users";

type Counts = WindowCount[];

export function d1ProfileStore(db: Database, scope: CallerScope): ProfileStore {
  const { id, sessionId } = scope.identity;
  return {
    async prepare(wanted, emailChange, now) {
      const reservations = emailChange
        ? [reserveSlots(db, emailChange.password, now), windowCounts(db, emailChange.password, now), ...mailSlotStatements(db, emailChange.mail, now)]
        : [];
      const { caller, results } = await scope.batch([uniqueHolders(db, wanted, id), ...reservations] as unknown as [ReturnType<typeof uniqueHolders>]);
      const [holders, passwordSlots, passwordCounts, mailSlots, mailCounts] = results as unknown as [
        { username: string; email: string }[],
        { id: number }[]?,
        Counts?,
        { id: number; key: string }[]?,
        Counts?,
      ];
      const taken = takenFields(holders, wanted);
      if (!emailChange) return { caller, taken };
      return {
        caller,
        taken,
        password: { slots: passwordSlots!.map((slot) => slot.id), counts: passwordCounts! },
        mail: { slots: mailSlots!, counts: mailCounts! },
      };
    },

    update(changes, effects, now) {
      const alongside: BatchItem<"sqlite">[] = [];
      if (effects.endOtherSessions) alongside.push(revokeOtherFamiliesOf(db, id, sessionId));
      if (effects.mail) alongside.push(reserveMailSlots(db, effects.mail, now));
      if (effects.releaseSlots?.length) alongside.push(releaseSlots(db, effects.releaseSlots));
      return orTakenField(async () => {
        // The guard reads the caller's row before the update, in the same transaction: `caller` is the row before.
        const { caller, results } = await scope.batch([...alongside, profileUpdate(db, id, changes)] as unknown as [ReturnType<typeof profileUpdate>]);
        const all = results as unknown as unknown[];
        const [user] = all.at(-1) as (typeof caller)[];
        const ended = effects.endOtherSessions ? (all[0] as EndedSession[]) : [];
        const slots = effects.mail ? (all[effects.endOtherSessions ? 1 : 0] as { key: string }[]) : [];
        const mailGoes = slots.some((slot) => slot.key === effects.mail?.recipient?.rule.key);
        return { caller, user: user!, ended, mailGoes };
      });
    },
  };
}
