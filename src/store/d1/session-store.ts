/** D1's `SessionStore` (refresh, verify, logout) and `MaintenanceStore` (the cron's clean-up). */
import type { MaintenanceStore, SessionStore } from "../store";
import type { Database } from "./client";
import { lt } from "drizzle-orm";
import { mfaChallenges } from "./mfa-schema";
import { passkeyChallenges } from "./passkeys-schema";
import { deleteOldThrottleEvents, forgetOldAddresses } from "./throttle";
import { deleteExpiredFamilies, revokeFamily, rotateFamily, sessionStanding } from "./token-families";

export function d1SessionStore(db: Database): SessionStore {
  return {
    rotate: (session, rotation, graceMs, now) => rotateFamily(db, session, rotation, graceMs, now),
    standing: (session, refresh, graceMs, now) => sessionStanding(db, session, refresh, graceMs, now),
    end: (session, jti, now) => revokeFamily(db, session, jti, now),
  };
}

export function d1MaintenanceStore(db: Database): MaintenanceStore {
  return {
    deleteExpiredSessions: (limit, now) => deleteExpiredFamilies(db, limit, now),
    deleteOldThrottleEvents: (maxPeriodMs, now) => deleteOldThrottleEvents(db, maxPeriodMs, now),
    forgetOldAddresses: (now) => forgetOldAddresses(db, now),
    async deleteExpiredMfaChallenges(now) {
      await db.delete(mfaChallenges).where(lt(mfaChallenges.expiresAt, new Date(now)));
    },
    async deleteExpiredPasskeyChallenges(now) {
      await db.delete(passkeyChallenges).where(lt(passkeyChallenges.expiresAt, new Date(now)));
    },
  };
}
