/** What a request gives Turnstile (src/auth/turnstile.ts): the body's `cf-turnstile-response` and the client's address as Cloudflare set it. */
import type { Context } from "hono";
import { TURNSTILE_FIELD, type TurnstileAnswer } from "../auth/turnstile";

export function turnstileAnswer(c: Context, body: { [TURNSTILE_FIELD]?: unknown }): TurnstileAnswer {
  return { token: body[TURNSTILE_FIELD], remoteIp: c.req.header("CF-Connecting-IP")?.trim() || undefined };
}
