/**
 * simplejwt-compatible JWTs: HS256 over Web Crypto (hono/jwt), a `kid` header naming the key,
 * and claims `token_type`, `exp`, `iat`, `jti`, `user_id`, plus the login session they belong
 * to (`sid` in access tokens, `fam` in refresh tokens). Verification accepts only HS256 with a
 * known kid, and checks expiry with no leeway.
 */
import { decode, sign, verify } from "hono/jwt";
import { encodeBase64Url } from "hono/utils/encode";
import { z } from "zod";
import { type Config, type SigningKey, signingKey } from "../config";

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

const secretAsJwk = (key: SigningKey) => ({
  kty: "oct",
  k: encodeBase64Url(new TextEncoder().encode(key.secret).buffer as ArrayBuffer).replace(/=+$/, ""),
  alg: "HS256",
  kid: key.kid,
});

/** Signs exactly `claims` with `key` (HS256, `kid` in the header). */
export function signClaims(key: SigningKey, claims: Record<string, unknown>): Promise<string> {
  return sign(claims, secretAsJwk(key));
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
  return { token_type: type, exp: now + lifetime, iat: now, jti: newTokenId(), user_id: userId, ...session };
}

/** Signs `claims` with the current key (refusing when JWT_SECRET is unusable). */
export async function issueClaims(config: Config, claims: TokenClaims): Promise<IssuedToken> {
  return { token: await signClaims(signingKey(config), claims), claims };
}

/** Signs a new token of `type` for `userId` in a session with the current key. */
export function issueToken(config: Config, type: TokenType, userId: number, session: SessionClaim): Promise<IssuedToken> {
  return issueClaims(config, newClaims(config, type, userId, session));
}

const cryptoKeys = new Map<string, Promise<CryptoKey>>();

function cryptoKeyFor(key: SigningKey): Promise<CryptoKey> {
  let imported = cryptoKeys.get(key.secret);
  if (!imported) {
    imported = crypto.subtle.importKey(
      "raw", new TextEncoder().encode(key.secret), { name: "HMAC", hash: "SHA-256" }, false, ["verify"],
    );
    cryptoKeys.set(key.secret, imported);
  }
  return imported;
}

/** Verifies signature, algorithm, key and lifetime, then the claims and the expected type. */
export async function verifyToken(config: Config, token: string, expected?: TokenType): Promise<TokenClaims> {
  let payload: unknown;
  try {
    const { header } = decode(token);
    const key = config.verifyingKeys.find((candidate) => candidate.kid === header.kid);
    if (header.alg !== "HS256" || !key) throw new TokenRejected("invalid");
    payload = await verify(token, await cryptoKeyFor(key), "HS256");
  } catch {
    throw new TokenRejected("invalid");
  }
  const claims = claimsSchema.safeParse(payload);
  if (!claims.success) throw new TokenRejected("invalid");
  if (expected && claims.data.token_type !== expected) throw new TokenRejected("wrong_type");
  return claims.data;
}
