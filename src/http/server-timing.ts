/** `Server-Timing: d1;desc="<round trips>";dur=<ms>, total;dur=<ms>` on API responses when SERVER_TIMING=1. */
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../env";

export const serverTiming = createMiddleware<AppEnv>(async (c, next) => {
  const started = Date.now();
  await next();
  const tally = c.var.roundTrips;
  if (!tally) return;
  c.header("Server-Timing", `d1;desc="${tally.count}";dur=${tally.ms}, total;dur=${Date.now() - started}`);
});
