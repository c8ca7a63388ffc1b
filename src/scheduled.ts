/** The cron trigger: removes token families whose last refresh token has expired, and old throttle events. */
import { MAX_THROTTLE_PERIOD_SECONDS } from "./config";
import { createDatabase } from "./db/client";
import { deleteOldThrottleEvents, forgetOldAddresses } from "./db/throttle";
import { deleteExpiredFamilies } from "./db/token-families";
import type { Env } from "./env";

const BATCH = 500;

export async function removeExpiredLoginSessions(env: Env): Promise<number> {
  const db = createDatabase(env.DB);
  let total = 0;
  for (;;) {
    const deleted = await deleteExpiredFamilies(db, BATCH);
    total += deleted;
    if (deleted < BATCH) break;
  }
  await deleteOldThrottleEvents(db, MAX_THROTTLE_PERIOD_SECONDS * 1000);
  await forgetOldAddresses(db);
  console.log(JSON.stringify({ level: "info", event: "expired-sessions-removed", count: total }));
  return total;
}
