/**
 * ID tokens checked with `jose` against the provider's published keys (its JWKS, fetched and
 * cached per isolate by jose's remote key set): the signature, `iss`, `aud` (our client id; with
 * several audiences, `azp` must be ours too), `exp`/`iat`/`nbf`, and in the browser flow the
 * `nonce` this browser's login started with.
 */
import { type JWTPayload, createRemoteJWKSet, errors, jwtVerify } from "jose";
import { IdentityRejected, ProviderUnavailable } from "./errors";

const keySets = new Map<string, ReturnType<typeof createRemoteJWKSet>>();

function keySet(jwksUri: string) {
  let set = keySets.get(jwksUri);
  if (!set) keySets.set(jwksUri, (set = createRemoteJWKSet(new URL(jwksUri))));
  return set;
}

export interface IdTokenRules {
  jwksUri: string;
  /** The issuer, or a check of it (Microsoft's multi-tenant issuer names the user's tenant). */
  issuer: string | ((payload: JWTPayload) => boolean);
  clientId: string;
  /** The browser flow's nonce; the native flow has none to compare. */
  nonce?: string;
}

/** Asymmetric algorithms only: an `HS256` token "signed" with a public key is a forgery. */
const ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"];

export async function verifyIdToken(token: string, rules: IdTokenRules): Promise<JWTPayload> {
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, keySet(rules.jwksUri), {
      algorithms: ALGORITHMS,
      audience: rules.clientId,
      ...(typeof rules.issuer === "string" ? { issuer: rules.issuer } : {}),
      requiredClaims: ["sub", "iat", "exp"],
      clockTolerance: 5,
    }));
  } catch (error) {
    // The keys could not be fetched: the provider's fault, not a bad token.
    if (error instanceof errors.JWKSTimeout || (error instanceof Error && /fetch|network/i.test(error.message) && !(error instanceof errors.JOSEError))) {
      throw new ProviderUnavailable(`JWKS of ${rules.jwksUri}: ${error.message}`);
    }
    throw new IdentityRejected(`ID token refused: ${(error as Error).name}`);
  }
  if (typeof rules.issuer === "function" && !rules.issuer(payload)) throw new IdentityRejected("ID token refused: issuer");
  if (Array.isArray(payload.aud) && payload.aud.length > 1 && payload.azp !== rules.clientId) throw new IdentityRejected("ID token refused: azp");
  if (rules.nonce !== undefined && payload.nonce !== rules.nonce) throw new IdentityRejected("ID token refused: nonce", true);
  return payload;
}
