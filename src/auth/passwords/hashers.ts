/**
 * Password hashes in Django's encoded formats, so that hashes move between this service and a
 * Django installation unchanged: new hashes are Django-compatible argon2id at OWASP's parameters,
 * and imported `pbkdf2_sha256` / `pbkdf2_sha1` hashes still verify (then get upgraded).
 */
import { decodeBase64, encodeBase64 } from "hono/utils/encode";
import { type Argon2Params, type Argon2Variant, argon2Raw } from "./argon2";
import { type Pbkdf2Digest, pbkdf2 } from "./pbkdf2";

/** OWASP's recommended argon2id parameters (m = 19 MiB, t = 2, p = 1). */
export const ARGON2_DEFAULT: Argon2Params = {
  variant: "argon2id",
  version: 19,
  memoryKiB: 19_456,
  iterations: 2,
  parallelism: 1,
};
const ARGON2_HASH_BYTES = 32;
const SALT_BYTES = 16;
/**
 * Stored hashes come from our own database, but imported ones follow other installations'
 * settings; past these bounds verification would exhaust the isolate's 128 MB or its CPU time.
 */
const ARGON2_MAX_MEMORY_KIB = 65_536;
const PBKDF2_MAX_ITERATIONS = 5_000_000;

export interface PasswordCheck {
  valid: boolean;
  /** The hash is valid but weaker than (or different from) what we would write today. */
  needsRehash: boolean;
}

const INVALID: PasswordCheck = { valid: false, needsRehash: false };
const utf8 = new TextEncoder();

const b64 = (bytes: Uint8Array) => encodeBase64(bytes.buffer as ArrayBuffer).replace(/=+$/, "");
const unb64 = (text: string) => decodeBase64(text.padEnd(Math.ceil(text.length / 4) * 4, "="));

/** Hashes a new password: `argon2$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>`. */
export function hashPassword(password: string): string {
  const salt = crypto.getRandomValues(new Uint8Array(SALT_BYTES));
  const digest = argon2Raw(utf8.encode(password), salt, ARGON2_HASH_BYTES, ARGON2_DEFAULT);
  return encodeArgon2(ARGON2_DEFAULT, salt, digest);
}

function encodeArgon2(p: Argon2Params, salt: Uint8Array, digest: Uint8Array): string {
  return `argon2$${p.variant}$v=${p.version}$m=${p.memoryKiB},t=${p.iterations},p=${p.parallelism}$${b64(salt)}$${b64(digest)}`;
}

/**
 * Spends the same work as checking a real default hash. Called for unknown users so that a
 * login's timing does not reveal whether the account exists.
 */
export function burnOneHash(password: string): void {
  argon2Raw(utf8.encode(password), new Uint8Array(SALT_BYTES), ARGON2_HASH_BYTES, ARGON2_DEFAULT);
}

/**
 * Checks `password` against a stored Django-format hash. Unknown, unusable (Django's `!...`) and
 * malformed hashes never verify, and still cost one hash, so timing does not reveal such accounts.
 */
export async function verifyPassword(password: string, encoded: string): Promise<PasswordCheck> {
  const algorithm = encoded.slice(0, encoded.indexOf("$"));
  try {
    switch (algorithm) {
      case "argon2":
        return verifyArgon2(password, encoded);
      case "pbkdf2_sha256":
        return await verifyPbkdf2(password, encoded, "SHA-256");
      case "pbkdf2_sha1":
        return await verifyPbkdf2(password, encoded, "SHA-1");
      default:
        burnOneHash(password);
        return INVALID;
    }
  } catch {
    // A malformed stored hash (bad base64, odd fields) is a failed check, not a server error.
    burnOneHash(password);
    return INVALID;
  }
}

/** Whether a hash's algorithm is one this service can check (the importer reports the others). */
export function isSupportedHash(encoded: string): boolean {
  return parseArgon2(encoded) !== undefined || parsePbkdf2(encoded) !== undefined;
}

interface ParsedArgon2 {
  params: Argon2Params;
  salt: Uint8Array;
  digest: Uint8Array;
}

function parseArgon2(encoded: string): ParsedArgon2 | undefined {
  // Django writes `argon2$argon2id$v=19$m=..,t=..,p=..$salt$hash`; hashes from argon2-cffi < 16.0 lack `v=`.
  const match = /^argon2\$(argon2(?:id|i|d))\$(?:v=(16|19)\$)?m=(\d+),t=(\d+),p=(\d+)\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/.exec(encoded);
  if (!match) return undefined;
  const [, variant, version, m, t, p, salt, digest] = match;
  const params: Argon2Params = {
    variant: variant as Argon2Variant,
    version: version === "19" ? 19 : 16,
    memoryKiB: Number(m),
    iterations: Number(t),
    parallelism: Number(p),
  };
  if (params.memoryKiB > ARGON2_MAX_MEMORY_KIB || params.iterations > 100 || params.parallelism > 64) return undefined;
  return { params, salt: unb64(salt!), digest: unb64(digest!) };
}

function verifyArgon2(password: string, encoded: string): PasswordCheck {
  const parsed = parseArgon2(encoded);
  if (!parsed || parsed.digest.length < 4 || parsed.salt.length < 8) return INVALID;
  const actual = argon2Raw(utf8.encode(password), parsed.salt, parsed.digest.length, parsed.params);
  if (!equalBytes(actual, parsed.digest)) return INVALID;
  const d = ARGON2_DEFAULT;
  const p = parsed.params;
  const current =
    p.variant === d.variant && p.version === d.version && p.memoryKiB === d.memoryKiB &&
    p.iterations === d.iterations && p.parallelism === d.parallelism;
  return { valid: true, needsRehash: !current };
}

function parsePbkdf2(encoded: string) {
  const match = /^pbkdf2_(sha256|sha1)\$(\d+)\$([^$]*)\$([A-Za-z0-9+/=]+)$/.exec(encoded);
  if (!match) return undefined;
  const iterations = Number(match[2]);
  if (iterations < 1 || iterations > PBKDF2_MAX_ITERATIONS) return undefined;
  return { iterations, salt: match[3]!, digest: decodeBase64(match[4]!) };
}

async function verifyPbkdf2(password: string, encoded: string, digestName: Pbkdf2Digest): Promise<PasswordCheck> {
  const parsed = parsePbkdf2(encoded);
  if (!parsed) return INVALID;
  // Django's PBKDF2 salt is text, used as its UTF-8 bytes.
  const actual = await pbkdf2(digestName, utf8.encode(password), utf8.encode(parsed.salt), parsed.iterations, parsed.digest.length);
  // Any PBKDF2 hash is weaker than our default, so a valid one is always replaced.
  return equalBytes(actual, parsed.digest) ? { valid: true, needsRehash: true } : INVALID;
}

/** Constant-time comparison: the time depends on the length only. */
function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}
