/**
 * A browser login's state between its start and the provider's callback, kept by the browser
 * alone (no server storage): the provider, `state`, the PKCE verifier, the nonce, the app's `next`
 * and an expiry, as `<base64url JSON>.<HMAC-SHA256>` keyed by JWT_SECRET. A changed byte, another
 * provider's callback or an expired value is refused: the callback then has no `next` to trust.
 */
import { z } from "zod";
import { equalInConstantTime, saltedHmacHex } from "../salted-hmac";
import type { LoginSecrets } from "./providers";

/** The cookie lives at most this long (API.md: at most 10 minutes). */
export const LOGIN_STATE_SECONDS = 600;

const SALT = "social-media-api.social-login-state";

const fields = z.object({
  provider: z.string(),
  state: z.string(),
  codeVerifier: z.string(),
  nonce: z.string(),
  next: z.string(),
  /** Seconds since the epoch. */
  expires: z.number().int(),
});

export type LoginState = LoginSecrets & { provider: string; next: string; expires: number };

const utf8 = new TextEncoder();
const toBase64Url = (text: string) => btoa(String.fromCharCode(...utf8.encode(text))).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
const fromBase64Url = (text: string) => new TextDecoder().decode(Uint8Array.from(atob(text.replaceAll("-", "+").replaceAll("_", "/")), (c) => c.charCodeAt(0)));

export async function sealLoginState(login: LoginState, secret: string): Promise<string> {
  const body = toBase64Url(JSON.stringify(login));
  return `${body}.${await saltedHmacHex(SALT, secret, body)}`;
}

/** The state sealed in `value`, if it is ours, intact, unexpired and for `provider`. */
export async function openLoginState(value: string | undefined, provider: string, secret: string, now = Date.now()): Promise<LoginState | undefined> {
  const [body, mac, ...rest] = (value ?? "").split(".");
  if (!body || !mac || rest.length > 0) return undefined;
  if (!equalInConstantTime(await saltedHmacHex(SALT, secret, body), mac)) return undefined;
  let parsed: z.infer<typeof fields>;
  try {
    parsed = fields.parse(JSON.parse(fromBase64Url(body)));
  } catch {
    return undefined;
  }
  if (parsed.provider !== provider || parsed.expires * 1000 <= now) return undefined;
  return parsed;
}
