/**
 * Recovery codes: ten per user, shown once, kept as SHA-256 hashes. Each holds 80 random bits
 * (16 base32 letters and digits, in four groups), so its hash needs no salt, key or slow function:
 * it cannot be guessed from a copy of the table, and no rotation of JWT_SECRET touches it.
 */
import { sha256 } from "@noble/hashes/sha2.js";
import { encodeBase32NoPadding } from "@oslojs/encoding";
import { encodeBase64Url } from "hono/utils/encode";

export const RECOVERY_CODE_COUNT = 10;

/** A code as typed: any letter case, spaces and hyphens ignored. */
export const normalizedCode = (code: string) => code.replace(/[\s-]/g, "").toLowerCase();

/** What the table keeps of a code. */
export function recoveryCodeHash(code: string): string {
  const digest = sha256(new TextEncoder().encode(`recovery:${normalizedCode(code)}`));
  return encodeBase64Url(digest.buffer as ArrayBuffer).replace(/=+$/, "");
}

/** Ten new codes (`xxxx-xxxx-xxxx-xxxx`) and their hashes. */
export function newRecoveryCodes(): { codes: string[]; hashes: string[] } {
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    const letters = encodeBase32NoPadding(crypto.getRandomValues(new Uint8Array(10))).toLowerCase();
    return letters.match(/.{4}/g)!.join("-");
  });
  return { codes, hashes: codes.map(recoveryCodeHash) };
}
