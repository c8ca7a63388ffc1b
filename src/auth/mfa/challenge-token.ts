/**
 * The `mfa_token` of a sign-in waiting for its second factor: 256 random bits, opaque (not a JWT,
 * so no route takes it as a bearer token), kept only as its SHA-256 (a token of that entropy needs
 * no slow or keyed hash: a copy of the table gives nothing to guess from).
 */
import { sha256 } from "@noble/hashes/sha2.js";
import { encodeBase64Url } from "hono/utils/encode";

/** How long a challenge may be answered. */
export const MFA_TOKEN_LIFETIME_MS = 5 * 60_000;

const base64url = (bytes: Uint8Array) => encodeBase64Url(bytes.buffer as ArrayBuffer).replace(/=+$/, "");

/** What the table keeps of `token`. */
export const mfaTokenHash = (token: string) => base64url(sha256(new TextEncoder().encode(token)));

/** A new token and its hash. */
export function newMfaToken(): { token: string; hash: string } {
  const token = base64url(crypto.getRandomValues(new Uint8Array(32)));
  return { token, hash: mfaTokenHash(token) };
}
