/**
 * Email-verification keys (the `<key>` of `/account/verify-email/<key>/`): `<base36 timestamp>-
 * <uid>-<hmac>`, the HMAC keyed by JWT_SECRET and bound to the user and the address it confirms,
 * so a key for an address the user no longer has proves nothing. A key confirming an email change
 * also names, between uid and HMAC, the login session that asked for the change (bound by the HMAC
 * too): that session outlives the change, every other one ends. Valid for
 * EMAIL_VERIFICATION_TIMEOUT seconds; no table holds keys.
 */
import { decodeUid, encodeUid } from "./reset-tokens";
import { equalInConstantTime, saltedHmacHex } from "./salted-hmac";

const KEY_SALT = "social-media-api.email-verification";

/** Whom a key is for: the user, the address it confirms, and for an email change the session that asked. */
export interface KeySubject {
  id: number;
  email: string;
  session?: string;
}

/** The first 128 bits of the key's HMAC, as 32 hex digits. */
async function hmac({ id, email, session }: KeySubject, timestamp: number, secret: string): Promise<string> {
  const asked = session === undefined ? "" : `|${session}`;
  return (await saltedHmacHex(KEY_SALT, secret, `${id}|${email.toLowerCase()}|${timestamp}${asked}`)).slice(0, 32);
}

export async function makeVerificationKey(subject: KeySubject, secret: string, now = Date.now()): Promise<string> {
  const timestamp = Math.floor(now / 1000);
  const session = subject.session === undefined ? "" : `${subject.session}-`;
  return `${timestamp.toString(36)}-${encodeUid(subject.id)}-${session}${await hmac(subject, timestamp, secret)}`;
}

/** What a key names, before anything is checked (to load the user). */
export function verificationKeyUser(key: string): { id: number; timestamp: number; session?: string; mac: string } | undefined {
  // A uid is at most 24 characters, so it can never swallow a session (33 with its dash).
  const match = /^([0-9a-z]{1,13})-([A-Za-z0-9_-]{1,24})(?:-([0-9a-f]{32}))?-([0-9a-f]{32})$/.exec(key);
  if (!match) return undefined;
  const id = decodeUid(match[2]!);
  const timestamp = Number.parseInt(match[1]!, 36);
  if (id === undefined || !Number.isSafeInteger(timestamp)) return undefined;
  return { id, timestamp, mac: match[4]!, ...(match[3] === undefined ? {} : { session: match[3] }) };
}

/** Whether `key` confirms `email` for user `id` and is still live (constant-time comparison). */
export async function checkVerificationKey(key: string, user: { id: number; email: string }, secret: string, timeoutSeconds: number, now = Date.now()): Promise<boolean> {
  const parsed = verificationKeyUser(key);
  if (!parsed || parsed.id !== user.id || !user.email) return false;
  const expected = await hmac({ ...user, session: parsed.session }, parsed.timestamp, secret);
  const age = Math.floor(now / 1000) - parsed.timestamp;
  return equalInConstantTime(expected, parsed.mac) && age >= 0 && age <= timeoutSeconds;
}
