/** The cron trigger: removes token families whose last refresh token has expired, old throttle events, old known addresses and expired two-factor and passkey challenges. */
import { MAX_THROTTLE_PERIOD_SECONDS } from "./config";
import type { Env } from "./env";
import { storeOf } from "./lib/storage";

const BATCH = 500;

export async function removeExpiredLoginSessions(env: Env): Promise<number> {
  const { maintenance } = storeOf(env);
  const now = Date.now();
  let total = 0;
  for (;;) {
    const deleted = await maintenance.deleteExpiredSessions(BATCH, now);
    total += deleted;
    if (deleted < BATCH) break;
  }
  await maintenance.deleteOldThrottleEvents(MAX_THROTTLE_PERIOD_SECONDS * 1000, now);
  await maintenance.forgetOldAddresses(now);
  await maintenance.deleteExpiredMfaChallenges(now);
  await maintenance.deleteExpiredPasskeyChallenges(now);
  console.log(JSON.stringify({ level: "info", event: "expired-sessions-removed", count: total }));
  return total;
}
