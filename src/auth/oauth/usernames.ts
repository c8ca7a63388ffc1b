/**
 * A new social account's username: derived from the name the provider knows the user by (or the
 * email's local part, never the whole address: usernames are public), kept to what Django's
 * username validator allows, and made unique by a random number when taken.
 */
import { UNUSABLE_PASSWORD_PREFIX } from "../passwords/usable";

const MAX_BASE = 30;

/** The name to start from: letters, digits and `. + - _` of the provider's name, or "user". */
export function usernameBase(suggested: string | null, email: string | null): string {
  const from = suggested?.includes("@") ? suggested.split("@")[0] : suggested;
  for (const candidate of [from, email?.split("@")[0]]) {
    const cleaned = (candidate ?? "").normalize("NFKC").replace(/[^\p{L}\p{N}_.+-]/gu, "").slice(0, MAX_BASE);
    if (cleaned) return cleaned;
  }
  return "user";
}

/** The base, then the base with random numbers: the first one free is taken. */
export function usernameCandidates(base: string, count = 4): string[] {
  const numbered = Array.from({ length: count - 1 }, () => `${base}${crypto.getRandomValues(new Uint32Array(1))[0]! % 100_000}`);
  return [base, ...numbered];
}

/** Django's `make_password(None)`: `!` and 40 random characters, which no password ever matches. */
export function unusablePassword(): string {
  const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  const bytes = crypto.getRandomValues(new Uint8Array(40));
  return `${UNUSABLE_PASSWORD_PREFIX}${[...bytes].map((byte) => alphabet[byte % alphabet.length]).join("")}`;
}
