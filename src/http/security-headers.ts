/** Response headers for a JSON API: no sniffing, no framing, no caching of API answers. */
import { createMiddleware } from "hono/factory";
import { secureHeaders } from "hono/secure-headers";
import type { AppEnv } from "../env";

const API_CSP = "default-src 'none'; frame-ancestors 'none'";

const standardHeaders = secureHeaders({
  // Pictures are fetched by web apps on other origins.
  crossOriginResourcePolicy: "cross-origin",
  crossOriginEmbedderPolicy: false,
  xFrameOptions: "DENY",
});

/** secureHeaders' set, and a CSP that forbids everything unless the route set its own (the docs page). */
export const apiSecureHeaders = createMiddleware<AppEnv>(async (c, next) => {
  await standardHeaders(c, next);
  if (!c.res.headers.has("Content-Security-Policy")) c.header("Content-Security-Policy", API_CSP);
});

/** API answers (tokens, profiles) are per caller and must never be stored by a browser or proxy. */
export const noStore = createMiddleware<AppEnv>(async (c, next) => {
  await next();
  if (!c.res.headers.has("Cache-Control")) c.header("Cache-Control", "no-store");
});
