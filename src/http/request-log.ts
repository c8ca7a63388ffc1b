/**
 * One structured JSON line per request (readable in `wrangler tail`): method, route pattern,
 * status, duration, request id and the caller's user id when a token named one. Never a body,
 * a header value or a query string, so never a password or a token.
 */
import { createMiddleware } from "hono/factory";
import { requestId as honoRequestId } from "hono/request-id";
import { routePath } from "hono/route";
import type { AppEnv } from "../env";

/**
 * `c.get("requestId")`: Cloudflare's ray id, which identifies the request across its logs, or a
 * random id locally. A client's own X-Request-Id is not taken (headerName: ""), so nobody writes
 * into the log's ids; the id is sent back by `requestLog`.
 */
export const requestId = honoRequestId({ headerName: "", generator: (c) => c.req.header("cf-ray") ?? crypto.randomUUID() });

export const requestLog = createMiddleware<AppEnv>(async (c, next) => {
  const started = Date.now();
  await next();
  const requestId = c.get("requestId");
  c.res.headers.set("X-Request-Id", requestId);
  console.log(
    JSON.stringify({
      level: "info",
      method: c.req.method,
      route: routePath(c, -1) || null,
      status: c.res.status,
      duration_ms: Date.now() - started,
      request_id: requestId,
      user_id: c.get("userId") ?? null,
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
