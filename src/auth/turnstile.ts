/**
 * Cloudflare Turnstile (API.md "Bot protection"): with TURNSTILE_SECRET_KEY set, register, password
 * reset, resend-email and a login for a username with repeated failures need the widget's token in
 * a `cf-turnstile-response` field, checked with siteverify (the client's address sent along) before
 * any password is hashed and anything is written. Without the secret nothing changes.
 */
import { z } from "zod";
import type { Config } from "../config";
import { ServerMisconfigured, ValidationFailed } from "../http/errors";

export const TURNSTILE_FIELD = "cf-turnstile-response";

/**
 * The field, in every body that may need it: taken as anything and judged only when Turnstile is
 * on, so that without the secret no request changes (a stray value is ignored, as DRF ignores fields).
 */
export const turnstileField = {
  [TURNSTILE_FIELD]: z
    .unknown()
    .optional()
    .meta({ type: "string", description: "The Turnstile widget's token: required when the server has Turnstile on (see API.md)." }),
} as const;

/** A token Cloudflare's widget gives is at most 2048 characters. */
const MAX_TOKEN_LENGTH = 2048;
const VERIFY_TIMEOUT_MS = 10_000;

const required = () => new ValidationFailed({ [TURNSTILE_FIELD]: ["This field is required."] });
const refused = () => new ValidationFailed({ [TURNSTILE_FIELD]: ["Invalid captcha."] });

/** What a request gives Turnstile: the field's value and the client's address (`CF-Connecting-IP`, as Cloudflare set it). */
export interface TurnstileAnswer {
  token: unknown;
  remoteIp: string | undefined;
}

/** Whether this deployment checks Turnstile tokens. */
export const turnstileOn = (config: Config) => config.turnstile !== undefined;

/**
 * Checks the token with siteverify; a missing one is "required", a refused one "invalid". A
 * siteverify that cannot be reached or answers garbage is a server fault (logged, 500), not the
 * client's: it never passes a request unchecked.
 */
export async function checkTurnstile(config: Config, answer: TurnstileAnswer): Promise<void> {
  const turnstile = config.turnstile;
  if (!turnstile) return;
  const token = typeof answer.token === "string" ? answer.token.trim() : "";
  if (token === "") throw required();
  if (token.length > MAX_TOKEN_LENGTH) throw refused();
  if (!turnstile.verifyUrl) throw new ServerMisconfigured("TURNSTILE_VERIFY_URL must be https, or http on 127.0.0.1 or localhost");
  const form = new FormData();
  form.set("secret", turnstile.secretKey);
  form.set("response", token);
  if (answer.remoteIp) form.set("remoteip", answer.remoteIp);
  const response = await fetch(turnstile.verifyUrl, { method: "POST", body: form, signal: AbortSignal.timeout(VERIFY_TIMEOUT_MS) });
  if (!response.ok) throw new Error(`Turnstile siteverify answered ${response.status}`);
  const outcome = (await response.json()) as { success?: unknown };
  if (outcome.success !== true) throw refused();
}
