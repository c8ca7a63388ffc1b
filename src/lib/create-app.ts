/** Builds a Hono app with what every route shares: optional trailing slashes, config, database, error bodies. */
import { Hono } from "hono";
import { configFrom } from "../config";
import { createDatabase } from "../db/client";
import type { AppEnv } from "../env";
import { onError, onNotFound } from "../http/error-handler";

export function createApp() {
  // strict: false makes `/api/auth/login` and `/api/auth/login/` the same route, with no redirect.
  const app = new Hono<AppEnv>({ strict: false });
  app.use(async (c, next) => {
    c.set("config", configFrom(c.env));
    c.set("db", createDatabase(c.env.DB));
    await next();
  });
  app.onError(onError);
  app.notFound(onNotFound);
  return app;
}
