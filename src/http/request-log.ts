/**
 * One structured JSON line per request (readable in `wrangler tail`): method, route pattern,
 * status, duration, request id and the caller's user id when a token named one. Never a body,
 * a header value or a query string, so never a password or a token.
 */
import { createMiddleware } from "hono/factory";
import { routePath } from "hono/route";
import type { AppEnv } from "../env";

export const requestLog = createMiddleware<AppEnv>(async (c, next) => {
  const started = Date.now();
  // Cloudflare's ray id identifies the request across its logs; locally there is none.
  const requestId = c.req.header("cf-ray") ?? crypto.randomUUID();
  c.set("requestId", requestId);
  await next();
  c.header("X-Request-Id", requestId);
  console.log(
    JSON.stringify({
      level: "info",
      method: c.req.method,
      route: routePath(c, -1) || null,
      status: c.res.status,
      duration_ms: Date.now() - started,
      request_id: requestId,
      user_id: c.var.userId ?? null,
    }),
  );
});

const SECRETS = [
  /eyJ[\w-]+\.[\w-]+\.[\w-]*/g, // JWTs
  /\b(?:argon2|pbkdf2_sha\d+|bcrypt\w*)\$[^\s"']+/g, // password hashes
];

/** Removes anything shaped like a token or a password hash from text bound for the log. */
export function redact(text: string | undefined): string | undefined {
  return SECRETS.reduce((result, pattern) => result?.replace(pattern, "[redacted]"), text);
}
