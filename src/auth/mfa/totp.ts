/**
 * TOTP (RFC 6238) with @oslojs/otp: SHA-1, 6 digits, 30-second steps, what every authenticator app
 * reads from an `otpauth://` URL. A code is accepted for the current step or one either way, and
 * only for a step after the last one accepted (`lastStep`), so each code works once.
 */
import { createTOTPKeyURI, generateHOTP } from "@oslojs/otp";
import { encodeBase32NoPadding } from "@oslojs/encoding";
import { renderSVG } from "uqr";

export const TOTP_STEP_SECONDS = 30;
export const TOTP_DIGITS = 6;

/** A new secret: 160 bits, RFC 4226's recommended length for HMAC-SHA1. */
export const newTotpSecret = () => crypto.getRandomValues(new Uint8Array(20));

/** The step `now` (milliseconds) falls in. */
export const stepAt = (now: number) => Math.floor(now / 1000 / TOTP_STEP_SECONDS);

/** What a setup shows: the secret in base32 (typed by hand), the URL an app reads, and its QR code, drawn here (no third party sees the secret). */
export function enrolment(secret: Uint8Array, issuer: string, accountName: string): { secret: string; otpauth_url: string; qr_svg: string } {
  const url = createTOTPKeyURI(issuer, accountName, secret, TOTP_STEP_SECONDS, TOTP_DIGITS);
  return { secret: encodeBase32NoPadding(secret), otpauth_url: url, qr_svg: renderSVG(url, { ecc: "M", border: 2 }) };
}

/** Whether `code` has the shape of a TOTP code (six digits), as opposed to a recovery code. */
export const looksLikeTotp = (code: string) => /^\d{6}$/.test(code);

/**
 * The step `code` is right for: the current one or one either way, after `lastStep`; undefined
 * when none. Every candidate is computed and compared in constant time, whatever matches.
 */
export function matchingStep(secret: Uint8Array, code: string, now: number, lastStep: number): number | undefined {
  const current = stepAt(now);
  let found: number | undefined;
  for (const step of [current - 1, current, current + 1]) {
    const expected = generateHOTP(secret, BigInt(step), TOTP_DIGITS);
    let difference = expected.length ^ code.length;
    for (let i = 0; i < expected.length; i++) difference |= expected.charCodeAt(i) ^ code.charCodeAt(i);
    if (difference === 0 && step > lastStep && found === undefined) found = step;
  }
  return found;
}
