/** Builds the app with what every route shares: config, request id and log, headers, CORS, the store, error bodies. */
import { createMiddleware } from "hono/factory";
import { timing } from "hono/timing";
import { refuseExampleSecret } from "../auth/example-secret";
import { configFrom } from "../config";
import type { AppEnv } from "../env";
import { corsForListedOrigins } from "../http/cors";
import { onError } from "../http/error-handler";
import { requestId, requestLog } from "../http/request-log";
import { apiSecureHeaders, noStore } from "../http/security-headers";
import { createRouter } from "./router";
import { storage } from "./storage";

const withConfig = createMiddleware<AppEnv>(async (c, next) => {
  const config = configFrom(c.env);
  c.set("config", config);
  refuseExampleSecret(config, c.req.url);
  await next();
});

/** Server-Timing (hono/timing) on API answers, only when SERVER_TIMING=1: production pays nothing for it. */
const serverTimingHeader = timing({ totalDescription: "total" });
const serverTiming = createMiddleware<AppEnv>((c, next) => (c.get("config").serverTiming ? serverTimingHeader(c, next) : next()));

export function createApp() {
  const app = createRouter();
  app.use(requestId, requestLog, withConfig);
  app.use("/api/*", serverTiming);
  app.use(apiSecureHeaders, corsForListedOrigins);
  app.use("/api/*", noStore);
  app.use(storage);
  app.onError(onError);
  return app;
}
