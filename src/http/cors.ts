/**
 * CORS for the origins in CORS_ORIGINS (`*` allows any, for development). Unlisted origins get
 * no CORS headers at all, preflights included, so browsers refuse them.
 */
import { createMiddleware } from "hono/factory";
import { cors } from "hono/cors";
import type { AppEnv } from "../env";

const options = {
  allowMethods: ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
  allowHeaders: ["Authorization", "Content-Type", "X-D1-Bookmark"],
  exposeHeaders: ["Retry-After", "Server-Timing", "X-D1-Bookmark", "X-Request-Id"],
  maxAge: 600,
};
const anyOrigin = cors({ ...options, origin: "*" });
const listedOrigin = cors({ ...options, origin: (origin) => origin });

export const corsForListedOrigins = createMiddleware<AppEnv>(async (c, next) => {
  const allowed = c.get("config").corsOrigins;
  const origin = c.req.header("Origin");
  // Only a request with Origin and Access-Control-Request-Method is a preflight; any other
  // OPTIONS is DRF's metadata request (hono/cors would answer every OPTIONS as a preflight).
  if (c.req.method === "OPTIONS" && !(origin && c.req.header("Access-Control-Request-Method"))) return next();
  if (allowed.includes("*")) return anyOrigin(c, next);
  if (origin && allowed.includes(origin)) return listedOrigin(c, next);
  await next();
  // The answer depends on Origin: shared caches must not reuse it for another origin.
  if (allowed.length > 0) c.res.headers.append("Vary", "Origin");
});
