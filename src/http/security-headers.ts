/** Response headers for a JSON API: no sniffing, no framing, no caching of API answers. */
import { createMiddleware } from "hono/factory";
import { secureHeaders } from "hono/secure-headers";
import type { AppEnv } from "../env";

export const apiSecureHeaders = secureHeaders({
  contentSecurityPolicy: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
  // Pictures are fetched by web apps on other origins.
  crossOriginResourcePolicy: "cross-origin",
  crossOriginEmbedderPolicy: false,
  xFrameOptions: "DENY",
});

/** API answers (tokens, profiles) are per caller and must never be stored by a browser or proxy. */
export const noStore = createMiddleware<AppEnv>(async (c, next) => {
  await next();
  if (!c.res.headers.has("Cache-Control")) c.header("Cache-Control", "no-store");
});
