/**
 * A software WebAuthn authenticator and client for the Worker-level tests: it makes discoverable
 * credentials (ES256, RS256 or Ed25519 keys of Web Crypto) and answers `navigator.credentials`
 * the way a browser would (clientDataJSON, authenticator data, CBOR, DER signatures), so each
 * field can be varied to try an attack. The browser test (test/node/passkeys-browser.test.ts)
 * uses Chromium's own virtual authenticator instead.
 */
import { isoBase64URL, isoCBOR } from "@simplewebauthn/server/helpers";

export type Algorithm = "ES256" | "RS256" | "EdDSA";

const FLAG_UP = 0x01;
const FLAG_UV = 0x04;
const FLAG_AT = 0x40;

type Bytes = Uint8Array<ArrayBuffer>;
type KeyParams = Parameters<typeof crypto.subtle.generateKey>[0];
type SignParams = Parameters<typeof crypto.subtle.sign>[0];

const utf8 = (text: string) => new TextEncoder().encode(text) as Bytes;
const sha256 = async (data: Bytes) => new Uint8Array(await crypto.subtle.digest("SHA-256", data));
const concat = (...parts: Uint8Array[]): Bytes => {
  const out = new Uint8Array(parts.reduce((n, part) => n + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
};
const uint32 = (n: number) => new Uint8Array([(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]);
const b64 = (bytes: Uint8Array) => isoBase64URL.fromBuffer(bytes as Bytes);

/** An ECDSA signature from Web Crypto (r || s) in the DER form WebAuthn uses. */
function derSignature(raw: Uint8Array): Uint8Array {
  const integer = (bytes: Uint8Array) => {
    let start = 0;
    while (start < bytes.length - 1 && bytes[start] === 0) start += 1;
    let value = bytes.slice(start);
    if (value[0]! & 0x80) value = concat(new Uint8Array([0]), value);
    return concat(new Uint8Array([0x02, value.length]), value);
  };
  const body = concat(integer(raw.slice(0, 32)), integer(raw.slice(32)));
  return concat(new Uint8Array([0x30, body.length]), body);
}

const KEY_PARAMS: Record<Algorithm, { generate: KeyParams; sign: SignParams; cose: number }> = {
  ES256: { generate: { name: "ECDSA", namedCurve: "P-256" }, sign: { name: "ECDSA", hash: "SHA-256" }, cose: -7 },
  RS256: { generate: { name: "RSASSA-PKCS1-v1_5", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" }, sign: { name: "RSASSA-PKCS1-v1_5" }, cose: -257 },
  EdDSA: { generate: { name: "Ed25519" }, sign: { name: "Ed25519" }, cose: -8 },
};

/** The COSE_Key of a public key. */
async function coseKey(algorithm: Algorithm, key: CryptoKey): Promise<Uint8Array> {
  const jwk = (await crypto.subtle.exportKey("jwk", key)) as JsonWebKey;
  const bytes = (value: string | undefined) => isoBase64URL.toBuffer(value!);
  let map: Map<number, unknown>;
  if (algorithm === "ES256") map = new Map<number, unknown>([[1, 2], [3, -7], [-1, 1], [-2, bytes(jwk.x)], [-3, bytes(jwk.y)]]);
  else if (algorithm === "RS256") map = new Map<number, unknown>([[1, 3], [3, -257], [-1, bytes(jwk.n)], [-2, bytes(jwk.e)]]);
  else map = new Map<number, unknown>([[1, 1], [3, -8], [-1, 6], [-2, bytes(jwk.x)]]);
  return isoCBOR.encode(map as never);
}

export interface Credential {
  id: Uint8Array;
  algorithm: Algorithm;
  keys: CryptoKeyPair;
  userHandle: string;
  rpId: string;
  /** The next signature counter; null for an authenticator that keeps none (always 0). */
  counter: number | null;
}

/** What a ceremony may be made to do differently (an attack, or a broken client). */
export interface Variation {
  origin?: string;
  rpId?: string;
  challenge?: string;
  type?: string;
  userVerified?: boolean;
  /** The counter to sign with this time (the credential's own otherwise). */
  counter?: number;
  userHandle?: string | null;
}

export class SoftAuthenticator {
  readonly credentials: Credential[] = [];

  constructor(
    readonly origin = "http://api.test",
    readonly options: { algorithm?: Algorithm; counter?: boolean } = {},
  ) {}

  /** `navigator.credentials.create(options)`, as JSON (RegistrationResponseJSON). */
  async create(options: { rp: { id: string }; user: { id: string }; challenge: string }, variation: Variation = {}) {
    const algorithm = this.options.algorithm ?? "ES256";
    const keys = (await crypto.subtle.generateKey(KEY_PARAMS[algorithm].generate, true, ["sign", "verify"])) as CryptoKeyPair;
    const id = crypto.getRandomValues(new Uint8Array(32));
    const rpId = variation.rpId ?? options.rp.id;
    const credential: Credential = { id, algorithm, keys, userHandle: options.user.id, rpId, counter: this.options.counter === false ? null : 1 };
    const clientData = utf8(JSON.stringify({ type: variation.type ?? "webauthn.create", challenge: variation.challenge ?? options.challenge, origin: variation.origin ?? this.origin, crossOrigin: false }));
    const flags = FLAG_UP | (variation.userVerified === false ? 0 : FLAG_UV) | FLAG_AT;
    const counter = credential.counter ?? 0;
    const attested = concat(new Uint8Array(16), new Uint8Array([0, id.length]), id, await coseKey(algorithm, keys.publicKey));
    const authData = concat(await sha256(utf8(rpId)), new Uint8Array([flags]), uint32(counter), attested);
    const attestationObject = isoCBOR.encode(new Map<string, unknown>([["fmt", "none"], ["attStmt", new Map()], ["authData", authData]]) as never);
    this.credentials.push(credential);
    return {
      id: b64(id),
      rawId: b64(id),
      type: "public-key",
      response: { clientDataJSON: b64(clientData), attestationObject: b64(attestationObject), transports: ["internal"] },
      clientExtensionResults: { credProps: { rk: true } },
      authenticatorAttachment: "platform",
    };
  }

  /** `navigator.credentials.get(options)` with the credential the user picks (the last one made by default), as JSON. */
  async get(options: { rpId: string; challenge: string }, variation: Variation = {}, credential = this.credentials.at(-1)!) {
    const clientData = utf8(JSON.stringify({ type: variation.type ?? "webauthn.get", challenge: variation.challenge ?? options.challenge, origin: variation.origin ?? this.origin, crossOrigin: false }));
    const flags = FLAG_UP | (variation.userVerified === false ? 0 : FLAG_UV);
    let counter = variation.counter ?? credential.counter ?? 0;
    if (variation.counter === undefined && credential.counter !== null) {
      credential.counter! += 1;
      counter = credential.counter!;
    }
    const authData = concat(await sha256(utf8(variation.rpId ?? options.rpId)), new Uint8Array([flags]), uint32(counter));
    const signed = concat(authData, await sha256(clientData));
    const raw = new Uint8Array(await crypto.subtle.sign(KEY_PARAMS[credential.algorithm].sign, credential.keys.privateKey, signed));
    const signature = credential.algorithm === "ES256" ? derSignature(raw) : raw;
    const userHandle = variation.userHandle === undefined ? credential.userHandle : variation.userHandle;
    return {
      id: b64(credential.id),
      rawId: b64(credential.id),
      type: "public-key",
      response: { clientDataJSON: b64(clientData), authenticatorData: b64(authData), signature: b64(signature), ...(userHandle === null ? {} : { userHandle }) },
      clientExtensionResults: {},
      authenticatorAttachment: "platform",
    };
  }
}
