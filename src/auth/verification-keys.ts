/**
 * Email-verification keys (the `<key>` of `/account/verify-email/<key>/`): `<base36 timestamp>-
 * <uid>-<hmac>`, the HMAC keyed by JWT_SECRET and bound to the user and the address it confirms,
 * so a key for an address the user no longer has proves nothing. Valid for
 * EMAIL_VERIFICATION_TIMEOUT seconds; no table holds keys.
 */
import { decodeUid, encodeUid } from "./reset-tokens";
import { equalInConstantTime, saltedHmacHex } from "./salted-hmac";

const KEY_SALT = "social-media-api.email-verification";

/** The first 128 bits of the key's HMAC, as 32 hex digits. */
async function hmac(id: number, email: string, timestamp: number, secret: string): Promise<string> {
  return (await saltedHmacHex(KEY_SALT, secret, `${id}|${email.toLowerCase()}|${timestamp}`)).slice(0, 32);
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
  const age = Math.floor(now / 1000) - parsed.timestamp;
  return equalInConstantTime(expected, parsed.mac) && age >= 0 && age <= timeoutSeconds;
}
