/** TOTP codes computed from a base32 secret as an authenticator app would (RFC 6238 over @oslojs/otp's HOTP); no Worker import, so Node-side tests use it too. */
import { generateHOTP } from "@oslojs/otp";

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/** RFC 4648 base32 (no padding), as the setup shows the secret. */
export function base32Decode(text: string): Uint8Array {
  let bits = 0;
  let value = 0;
  const bytes: number[] = [];
  for (const char of text.toUpperCase()) {
    value = ((value << 5) | ALPHABET.indexOf(char)) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      bytes.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return new Uint8Array(bytes);
}

/** The 30-second step of now. */
export const currentStep = () => Math.floor(Date.now() / 30_000);

/** The code of `step` for base32 `secret`. */
export const codeAt = (secret: string, step: number) => generateHOTP(base32Decode(secret), BigInt(step), 6);
