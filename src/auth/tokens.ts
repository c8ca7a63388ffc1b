/**
 * simplejwt-compatible JWTs signed with Web Crypto, a `kid` header naming the key, and claims
 * `token_type`, `exp`, `iat`, `jti`, `user_id`, `iss`, plus the login session they belong to
 * (`sid` in access tokens, `fam` in refresh tokens). Access tokens are signed with JWT_ALGORITHM
 * (HS256, ES256 or EdDSA) under the header `typ: "at+jwt"` (RFC 9068); refresh tokens always
 * HS256 with JWT_SECRET, so a service that trusts the published keys can never be handed one.
 * Verification takes the type the header claims, accepts exactly that type's algorithm and a
 * known kid (no algorithm confusion), and checks expiry with no leeway (hono/jwt's verify). An
 * access token that verified is remembered until it expires (src/auth/verified-tokens.ts).
 */
import { verify } from "hono/jwt";
import { decodeHeader } from "hono/utils/jwt/jwt";
import { encodeBase64Url } from "hono/utils/encode";
import { z } from "zod";
import { type Config, type SigningKey, signingKey } from "../config";
import { type JwtAlgorithm, type JwtKey, type JwtKeys, WEB_CRYPTO, secretAsJwk } from "./jwt-keys";
import { VerifiedTokens } from "./verified-tokens";

export type TokenType = "access" | "refresh";

const claimsSchema = z.object({
  token_type: z.enum(["access", "refresh"]),
  exp: z.number().int(),
  iat: z.number().int(),
  jti: z.string().min(1).max(64),
  user_id: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
  /** The login session a refresh token descends from (refresh tokens only). */
  fam: z.string().min(1).max(64).optional(),
  /** The login session of an access token (access tokens only). */
  sid: z.string().min(1).max(64).optional(),
  /** PUBLIC_URL of the deployment that issued it. */
  iss: z.string().max(2048).optional(),
})
  // Every token names its session: an access token without one could never be ended early.
  .refine((claims) => (claims.token_type === "access" ? claims.sid !== undefined : claims.fam !== undefined));

export type TokenClaims = z.infer<typeof claimsSchema>;

/** Thrown for any token that must be refused; the caller decides which 401 body it becomes. */
export class TokenRejected extends Error {
  constructor(readonly reason: "invalid" | "wrong_type") {
    super(reason);
  }
}

export function newTokenId(): string {
  return crypto.randomUUID().replaceAll("-", "");
}

/** The JOSE `typ` of an access token (RFC 9068): what tells any verifier that it holds one. */
export const ACCESS_TOKEN_TYP = "at+jwt";

/** The keys and header `typ` of each token type. */
function signatureOf(config: Config, type: TokenType): { keys: JwtKeys; typ: string } {
  return type === "access" ? { keys: config.jwt, typ: ACCESS_TOKEN_TYP } : { keys: config.refreshJwt, typ: "JWT" };
}

/**
 * Signs exactly `claims` with HMAC secret `key` (HS256, `kid` in the header, the `typ` of the
 * claimed `token_type`): for tests and tools.
 */
export function signClaims(key: SigningKey, claims: Record<string, unknown>): Promise<string> {
  const typ = claims.token_type === "access" ? ACCESS_TOKEN_TYP : "JWT";
  return signed("HS256", { kid: key.kid, jwk: secretAsJwk(key) }, typ, claims);
}

export interface IssuedToken {
  token: string;
  claims: TokenClaims;
}

/** The session claim of each token type. */
export type SessionClaim = { fam: string } | { sid: string };

/** The claims of a new token of `type` for `userId` in a session (`fam` or `sid`). */
export function newClaims(config: Config, type: TokenType, userId: number, session: SessionClaim): TokenClaims {
  const now = Math.floor(Date.now() / 1000);
  const lifetime = type === "access" ? config.accessLifetimeSeconds : config.refreshLifetimeSeconds;
  return { token_type: type, exp: now + lifetime, iat: now, jti: newTokenId(), user_id: userId, iss: config.publicUrl, ...session };
}

const utf8 = new TextEncoder();
const base64url = (bytes: ArrayBuffer) => encodeBase64Url(bytes).replace(/=+$/, "");

/** Signs `claims` with the current key of their type (refusing when there is none). */
export async function issueClaims(config: Config, claims: TokenClaims): Promise<IssuedToken> {
  const { keys, typ } = signatureOf(config, claims.token_type);
  return { token: await signed(keys.algorithm, signingKey(config, keys), typ, claims), claims };
}

async function signed(alg: JwtAlgorithm, key: JwtKey, typ: string, claims: object): Promise<string> {
  const part = (value: object) => base64url(utf8.encode(JSON.stringify(value)).buffer as ArrayBuffer);
  const input = `${part({ alg, typ, kid: key.kid })}.${part(claims)}`;
  // Web Crypto's ECDSA and Ed25519 signatures are already in JWS form (raw r||s, raw bytes).
  const signature = await crypto.subtle.sign(WEB_CRYPTO[alg].sign, await cryptoKeyFor(alg, key, "sign"), utf8.encode(input));
  return `${input}.${base64url(signature)}`;
}

/** Signs a new token of `type` for `userId` in a session with the current key. */
export function issueToken(config: Config, type: TokenType, userId: number, session: SessionClaim): Promise<IssuedToken> {
  return issueClaims(config, newClaims(config, type, userId, session));
}

/** Imported keys, once per isolate: importing costs more than verifying. */
const cryptoKeys = new Map<string, Promise<CryptoKey>>();
/** The same, found by the (per-isolate) key object itself: no per-request key material to serialise. */
const cryptoKeysOf = new WeakMap<JwtKey, Partial<Record<string, Promise<CryptoKey>>>>();

/** Only the members Web Crypto needs: a user's JWK may carry `key_ops` or `use` that would refuse the import. */
function keyMaterial(jwk: JsonWebKey): JsonWebKey {
  const { kty, crv, x, y, d, k } = jwk;
  return Object.fromEntries(Object.entries({ kty, crv, x, y, d, k }).filter(([, value]) => value !== undefined)) as unknown as JsonWebKey;
}

function cryptoKeyFor(alg: JwtAlgorithm, key: JwtKey, use: "sign" | "verify"): Promise<CryptoKey> {
  let known = cryptoKeysOf.get(key);
  if (!known) cryptoKeysOf.set(key, (known = {}));
  const slot = `${alg}:${use}`;
  let imported = known[slot];
  if (!imported) {
    imported = known[slot] = importedKey(alg, key, use);
    // A key that failed to import is tried again next time, as below.
    imported.catch(() => delete known[slot]);
  }
  return imported;
}

function importedKey(alg: JwtAlgorithm, key: JwtKey, use: "sign" | "verify"): Promise<CryptoKey> {
  const material = keyMaterial(key.jwk);
  const id = `${alg}:${use}:${JSON.stringify(material)}`;
  let imported = cryptoKeys.get(id);
  if (!imported) {
    // HMAC signs and verifies with its secret; the asymmetric algorithms verify with the public part.
    const jwk = use === "verify" && alg !== "HS256" ? { ...material, d: undefined } : material;
    imported = crypto.subtle.importKey("jwk", JSON.parse(JSON.stringify(jwk)), WEB_CRYPTO[alg].import, false, [use]);
    imported.catch(() => cryptoKeys.delete(id));
    cryptoKeys.set(id, imported);
  }
  return imported;
}

/** Access tokens verified in this isolate, per configuration (its keys and PUBLIC_URL decide what verifies). */
const verifiedAccess = new WeakMap<Config, VerifiedTokens<TokenClaims>>();

function verifiedAccessOf(config: Config): VerifiedTokens<TokenClaims> {
  let verified = verifiedAccess.get(config);
  if (!verified) verifiedAccess.set(config, (verified = new VerifiedTokens()));
  return verified;
}

/** Verifies signature, algorithm, key and lifetime, then the claims and the expected type. */
export async function verifyToken(config: Config, token: string, expected?: TokenType): Promise<TokenClaims> {
  const verified = verifiedAccessOf(config);
  let claims = verified.get(token, Math.floor(Date.now() / 1000));
  if (!claims) {
    claims = await checkedClaims(config, token);
    // Refresh tokens are presented once each (rotation): only access tokens come back.
    if (claims.token_type === "access") verified.remember(token, Object.freeze(claims));
  }
  if (expected && claims.token_type !== expected) throw new TokenRejected("wrong_type");
  return claims;
}

async function checkedClaims(config: Config, token: string): Promise<TokenClaims> {
  let payload: unknown;
  let type: TokenType;
  try {
    // The header alone: verify() decodes the payload once it has checked the signature.
    const header = decodeHeader(token);
    // The header's typ names the token type, and so the only keys that may have signed it.
    type = header.typ === ACCESS_TOKEN_TYP ? "access" : "refresh";
    const { keys } = signatureOf(config, type);
    // Exactly that type's algorithm, and a kid we know: nothing else is even tried.
    const key = keys.verifying.find((candidate) => candidate.kid === header.kid);
    if (header.alg !== keys.algorithm || !key) throw new TokenRejected("invalid");
    // hono/jwt wants typ "JWT" (or none) unless told another.
    payload = await verify(token, await cryptoKeyFor(keys.algorithm, key, "verify"), { alg: keys.algorithm, typ: type === "access" ? ACCESS_TOKEN_TYP : undefined });
  } catch {
    throw new TokenRejected("invalid");
  }
  const claims = claimsSchema.safeParse(payload);
  // Claims of the other type under this header and key are a forgery, or a token of an older release: refused, not "wrong type".
  if (!claims.success || claims.data.token_type !== type) throw new TokenRejected("invalid");
  if (claims.data.iss !== undefined && claims.data.iss !== config.publicUrl) throw new TokenRejected("invalid");
  return claims.data;
}
