/**
 * TOTP secrets at rest: AES-256-GCM under a key derived from JWT_SECRET with HKDF-SHA256 (its own
 * `info`, so the key serves nothing else), the user id as additional data (a ciphertext copied to
 * another user's row does not open there). Stored as `<kid>.<iv>.<ciphertext>`: the kid names the
 * JWT secret it was made under, so a secret sealed before a rotation still opens while that secret
 * is listed in JWT_SECRETS_PREVIOUS (and is sealed again under the current one at its next use).
 */
import { decodeBase64Url, encodeBase64Url } from "hono/utils/encode";
import { type Config, type SigningKey, signingSecret } from "../../config";

const INFO = new TextEncoder().encode("social-media-api totp secret v1");
const base64url = (bytes: Uint8Array) => encodeBase64Url(bytes.buffer as ArrayBuffer).replace(/=+$/, "");

/** Derived keys, once per isolate and secret. */
const keys = new Map<string, Promise<CryptoKey>>();

function keyFor(secret: string): Promise<CryptoKey> {
  let key = keys.get(secret);
  if (!key) {
    key = crypto.subtle
      .importKey("raw", new TextEncoder().encode(secret), "HKDF", false, ["deriveKey"])
      .then((material) =>
        crypto.subtle.deriveKey({ name: "HKDF", hash: "SHA-256", salt: new Uint8Array(0), info: INFO }, material, { name: "AES-GCM", length: 256 }, false, ["encrypt", "decrypt"]),
      );
    keys.set(secret, key);
  }
  return key;
}

const additionalData = (userId: number) => new TextEncoder().encode(`user:${userId}`);

/** `secret` sealed for user `userId` under the current JWT_SECRET. */
export async function sealSecret(config: Config, userId: number, secret: Uint8Array): Promise<string> {
  const current = config.currentKey as SigningKey;
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const sealed = await crypto.subtle.encrypt({ name: "AES-GCM", iv, additionalData: additionalData(userId) }, await keyFor(signingSecret(config)), secret);
  return `${current.kid}.${base64url(iv)}.${base64url(new Uint8Array(sealed))}`;
}

/** The secret `sealed` holds for user `userId`, and whether it was sealed under a retired JWT secret; undefined when it does not open. */
export async function openSecret(config: Config, userId: number, sealed: string): Promise<{ secret: Uint8Array; retired: boolean } | undefined> {
  const [kid, iv, ciphertext] = sealed.split(".");
  const key = config.verifyingKeys.find((candidate) => candidate.kid === kid);
  if (!key || !iv || !ciphertext) return undefined;
  try {
    const opened = await crypto.subtle.decrypt(
      { name: "AES-GCM", iv: decodeBase64Url(iv), additionalData: additionalData(userId) },
      await keyFor(key.secret),
      decodeBase64Url(ciphertext),
    );
    return { secret: new Uint8Array(opened), retired: key.kid !== config.currentKey?.kid };
  } catch {
    return undefined;
  }
}
