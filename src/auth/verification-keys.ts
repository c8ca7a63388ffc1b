/**
 * Email-verification keys (the `<key>` of `/account/verify-email/<key>/`): `<base36 timestamp>-
 * <uid>-<hmac>`, the HMAC keyed by JWT_SECRET and bound to the user and the address it confirms,
 * so a key for an address the user no longer has proves nothing. Valid for
 * EMAIL_VERIFICATION_TIMEOUT seconds; no table holds keys.
 */
import { decodeUid, encodeUid } from "./reset-tokens";

const KEY_SALT = "social-media-api.email-verification";
const utf8 = new TextEncoder();

async function hmac(id: number, email: string, timestamp: number, secret: string): Promise<string> {
  const key = await crypto.subtle.digest("SHA-256", utf8.encode(KEY_SALT + secret));
  const hmacKey = await crypto.subtle.importKey("raw", key, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const digest = new Uint8Array(await crypto.subtle.sign("HMAC", hmacKey, utf8.encode(`${id}|${email.toLowerCase()}|${timestamp}`)));
  return [...digest.subarray(0, 16)].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

export async function makeVerificationKey(user: { id: number; email: string }, secret: string, now = Date.now()): Promise<string> {
  const timestamp = Math.floor(now / 1000);
  return `${timestamp.toString(36)}-${encodeUid(user.id)}-${await hmac(user.id, user.email, timestamp, secret)}`;
}

/** The user id a key names, before anything is checked (to load the user). */
export function verificationKeyUser(key: string): { id: number; timestamp: number; mac: string } | undefined {
  const match = /^([0-9a-z]{1,13})-([A-Za-z0-9_-]{1,24})-([0-9a-f]{32})$/.exec(key);
  if (!match) return undefined;
  const id = decodeUid(match[2]!);
  const timestamp = Number.parseInt(match[1]!, 36);
  return id === undefined || !Number.isSafeInteger(timestamp) ? undefined : { id, timestamp, mac: match[3]! };
}

/** Whether `key` confirms `email` for user `id` and is still live (constant-time comparison). */
export async function checkVerificationKey(key: string, user: { id: number; email: string }, secret: string, timeoutSeconds: number, now = Date.now()): Promise<boolean> {
  const parsed = verificationKeyUser(key);
  if (!parsed || parsed.id !== user.id || !user.email) return false;
  const expected = await hmac(user.id, user.email, parsed.timestamp, secret);
  let difference = 0;
  for (let i = 0; i < expected.length; i++) difference |= expected.charCodeAt(i) ^ parsed.mac.charCodeAt(i);
  const age = Math.floor(now / 1000) - parsed.timestamp;
  return difference === 0 && age >= 0 && age <= timeoutSeconds;
}
