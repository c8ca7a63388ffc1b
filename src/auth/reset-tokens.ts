/**
 * Password-reset links as Django makes them: `<uid>` is the user id in base64url
 * (`urlsafe_base64_encode`), `<token>` is `PasswordResetTokenGenerator`'s `<timestamp in
 * base36>-<hmac>`, the HMAC (SHA-256, keyed by JWT_SECRET through Django's `salted_hmac`) bound to
 * the user's id, password hash, last login, the timestamp and email. So a token stops working
 * once used (the hash changes), after any password change, after a later login, and after
 * PASSWORD_RESET_TIMEOUT; no table holds tokens.
 */
import { equalInConstantTime, saltedHmacHex } from "./salted-hmac";

const KEY_SALT = "django.contrib.auth.tokens.PasswordResetTokenGenerator";
/** Django counts seconds from 2001-01-01 (UTC, naive). */
const EPOCH_2001 = Date.UTC(2001, 0, 1);

export interface ResetSubject {
  id: number;
  password: string;
  lastLogin: Date | null;
  email: string;
}

const seconds = (at: number) => Math.floor((at - EPOCH_2001) / 1000);

/** Python's str() of a naive datetime without microseconds: "YYYY-MM-DD HH:MM:SS". */
const pythonDateTime = (at: Date) => at.toISOString().slice(0, 19).replace("T", " ");

async function hashFor(user: ResetSubject, timestamp: number, secret: string): Promise<string> {
  const login = user.lastLogin ? pythonDateTime(user.lastLogin) : "";
  const value = `${user.id}${user.password}${login}${timestamp}${user.email}`;
  const digest = await saltedHmacHex(KEY_SALT, secret, value);
  // Django keeps every other character (a shorter URL).
  return [...digest].filter((_, i) => i % 2 === 0).join("");
}

export async function makeResetToken(user: ResetSubject, secret: string, now = Date.now()): Promise<string> {
  const timestamp = seconds(now);
  return `${timestamp.toString(36)}-${await hashFor(user, timestamp, secret)}`;
}

/** Whether `token` is a live reset token of `user` (compared in constant time). */
export async function checkResetToken(user: ResetSubject, token: string, secret: string, timeoutSeconds: number, now = Date.now()): Promise<boolean> {
  const match = /^([0-9a-z]{1,13})-([0-9a-f]{32})$/.exec(token);
  if (!match) return false;
  const timestamp = Number.parseInt(match[1]!, 36);
  if (!Number.isSafeInteger(timestamp)) return false;
  const expected = await hashFor(user, timestamp, secret);
  return equalInConstantTime(expected, match[2]!) && seconds(now) - timestamp <= timeoutSeconds && timestamp <= seconds(now);
}

export const encodeUid = (id: number) => btoa(String(id)).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");

/** The user id in a uid, or undefined for anything that is not one. */
export function decodeUid(uid: string): number | undefined {
  if (!/^[A-Za-z0-9_-]{1,24}$/.test(uid)) return undefined;
  try {
    const text = atob(uid.replaceAll("-", "+").replaceAll("_", "/"));
    if (!/^[1-9][0-9]{0,15}$/.test(text)) return undefined;
    const id = Number(text);
    return Number.isSafeInteger(id) ? id : undefined;
  } catch {
    return undefined;
  }
}
