/**
 * PBKDF2 for Django's `pbkdf2_sha256` / `pbkdf2_sha1` hashes.
 *
 * Production Workers refuse Web Crypto PBKDF2 above 100,000 iterations (local workerd does not),
 * and Django's defaults are 260,000 and up, so higher counts run in pure JS. The async variant
 * yields to the event loop while it works, so one slow import-era login does not stall others.
 */
import { pbkdf2Async } from "@noble/hashes/pbkdf2.js";
import { sha1 } from "@noble/hashes/legacy.js";
import { sha256 } from "@noble/hashes/sha2.js";

/** The most iterations Workers' Web Crypto PBKDF2 accepts. */
export const WEB_CRYPTO_PBKDF2_MAX_ITERATIONS = 100_000;

export type Pbkdf2Digest = "SHA-256" | "SHA-1";

const NOBLE_DIGESTS = { "SHA-256": sha256, "SHA-1": sha1 } as const;

/** Which implementation derives a key for `iterations`; exported so a test can pin the rule. */
export function pbkdf2Engine(iterations: number): "web-crypto" | "javascript" {
  return iterations <= WEB_CRYPTO_PBKDF2_MAX_ITERATIONS ? "web-crypto" : "javascript";
}

export async function pbkdf2(
  digest: Pbkdf2Digest,
  password: Uint8Array,
  salt: Uint8Array,
  iterations: number,
  keyLength: number,
): Promise<Uint8Array> {
  if (pbkdf2Engine(iterations) === "javascript") {
    return pbkdf2Async(NOBLE_DIGESTS[digest], password, salt, { c: iterations, dkLen: keyLength, asyncTick: 5 });
  }
  const key = await crypto.subtle.importKey("raw", password, "PBKDF2", false, ["deriveBits"]);
  const bits = await crypto.subtle.deriveBits({ name: "PBKDF2", hash: digest, salt, iterations }, key, keyLength * 8);
  return new Uint8Array(bits);
}
