/** Builds a Hono app with what every route shares: optional trailing slashes, config, database, error bodies. */
import { Hono } from "hono";
import { configFrom } from "../config";
import { d1Session } from "../db/session";
import type { AppEnv } from "../env";
import { corsForListedOrigins } from "../http/cors";
import { onError, onNotFound } from "../http/error-handler";
import { requestLog } from "../http/request-log";
import { apiSecureHeaders, noStore } from "../http/security-headers";
import { serverTiming } from "../http/server-timing";

export function createApp() {
  // strict: false makes `/api/auth/login` and `/api/auth/login/` the same route, with no redirect.
  const app = new Hono<AppEnv>({ strict: false });
  app.use(requestLog);
  app.use(async (c, next) => {
    c.set("config", configFrom(c.env));
    await next();
  });
  app.use("/api/*", serverTiming);
  app.use(apiSecureHeaders);
  app.use(corsForListedOrigins);
  app.use("/api/*", noStore);
  app.use(d1Session);
  app.onError(onError);
  app.notFound(onNotFound);
  return app;
}
