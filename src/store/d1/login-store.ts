/** D1's `LoginStore`: a login's throttle slots, account and speculative session in one batch. */
import { and, count, gt } from "drizzle-orm";
import type { LoginStore } from "../store";
import type { Database } from "./client";
import { throttleEvents } from "./schema";
import { keyPrefixed, reserveSlots, rememberAddress, windowCounts } from "./throttle";
import { discardFamily, startFamilyForLogin } from "./token-families";
import { userForLogin } from "./users";

export function d1LoginStore(db: Database): LoginStore {
  return {
    async begin({ rules, username, session }, now) {
      const [slots, counts, [account], started] = await db.batch([
        reserveSlots(db, rules, now),
        windowCounts(db, rules, now),
        userForLogin(db, username),
        startFamilyForLogin(db, { ...session, username }, { key: rules[0]!.key, at: now }),
      ]);
      return { reservation: { slots: slots.map((slot) => slot.id), counts }, account, started: started.meta.changes > 0 };
    },
    /** One index range of (key, at): the keys starting with `prefix`. */
    async recentFailures(prefix, since) {
      const [row] = await db.select({ n: count() }).from(throttleEvents).where(and(keyPrefixed(prefix), gt(throttleEvents.at, since)));
      return row?.n ?? 0;
    },
    discard: (sessionId) => discardFamily(db, sessionId),
    async rememberAddress(userId, address, now) {
      await rememberAddress(db, userId, address, now).run();
    },
  };
}
