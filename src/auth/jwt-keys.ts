/**
 * The keys tokens are signed and verified with, for the configured algorithm: HS256 with
 * JWT_SECRET (and JWT_SECRETS_PREVIOUS), or ES256 / EdDSA with a private JWK (JWT_PRIVATE_KEY)
 * and retired public JWKs (JWT_PUBLIC_KEYS_PREVIOUS). Public keys are published at
 * /.well-known/jwks.json; a private part never is.
 */
export type JwtAlgorithm = "HS256" | "ES256" | "EdDSA";
export const JWT_ALGORITHMS: readonly JwtAlgorithm[] = ["HS256", "ES256", "EdDSA"];

/** Web Crypto's name for each algorithm (import, sign and verify parameters). */
export const WEB_CRYPTO: Record<JwtAlgorithm, { import: SubtleCryptoImportKeyAlgorithm; sign: SubtleCryptoSignAlgorithm }> = {
  HS256: { import: { name: "HMAC", hash: "SHA-256" }, sign: { name: "HMAC" } },
  ES256: { import: { name: "ECDSA", namedCurve: "P-256" }, sign: { name: "ECDSA", hash: "SHA-256" } },
  EdDSA: { import: { name: "Ed25519" }, sign: { name: "Ed25519" } },
};

/** A key as its JWK, named by `kid`. */
export interface JwtKey {
  kid: string;
  jwk: JsonWebKey;
}

/** A public key as /.well-known/jwks.json shows it. */
export interface PublicJwk {
  kty: string;
  kid: string;
  alg: "ES256" | "EdDSA";
  use: "sig";
  crv: string;
  x: string;
  y?: string;
}

export interface JwtKeys {
  algorithm: JwtAlgorithm;
  /** Signs new tokens; undefined when the configuration does not give a usable key (see `problem`). */
  signing: JwtKey | undefined;
  /** Every key whose tokens verify: the current one first, then the retired ones. */
  verifying: JwtKey[];
  published: PublicJwk[];
  /** Why no token can be signed, for the log; undefined when all is well. */
  problem: string | undefined;
}

const CURVES: Partial<Record<JwtAlgorithm, { kty: string; crv: string }>> = {
  ES256: { kty: "EC", crv: "P-256" },
  EdDSA: { kty: "OKP", crv: "Ed25519" },
};

/** The public members of an EC or OKP key, nothing else: a private `d` never leaves. */
export function publicPart(jwk: JsonWebKey & { kid?: string }, alg: "ES256" | "EdDSA"): PublicJwk {
  return { kty: jwk.kty!, kid: jwk.kid!, alg, use: "sig", crv: jwk.crv!, x: jwk.x!, ...(jwk.y ? { y: jwk.y } : {}) };
}

function parseJson(text: string | undefined): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

const fits = (jwk: unknown, alg: "ES256" | "EdDSA"): jwk is JsonWebKey & { kid: string } => {
  const curve = CURVES[alg];
  const key = jwk as (JsonWebKey & { kid?: unknown }) | undefined;
  return Boolean(curve && key && typeof key === "object" && typeof key.kid === "string" && key.kid && key.kty === curve.kty && key.crv === curve.crv && key.x);
};

/** The asymmetric keys of ES256 / EdDSA from their variables. */
export function asymmetricKeys(alg: "ES256" | "EdDSA", privateKey: string | undefined, previous: string | undefined): JwtKeys {
  const current = parseJson(privateKey);
  const retired = parseJson(previous);
  const olds = (Array.isArray(retired) ? retired : []).filter((jwk): jwk is JsonWebKey & { kid: string } => fits(jwk, alg) && !("d" in jwk));
  const verifyingOld = olds.map((jwk) => ({ kid: jwk.kid, jwk: publicPart(jwk, alg) as JsonWebKey }));
  if (!fits(current, alg) || !current.d) {
    return {
      algorithm: alg,
      signing: undefined,
      verifying: verifyingOld,
      published: olds.map((jwk) => publicPart(jwk, alg)),
      problem: `JWT_PRIVATE_KEY must be a private ${CURVES[alg]!.crv} JWK with a kid for JWT_ALGORITHM=${alg}`,
    };
  }
  const publicJwk = publicPart(current, alg);
  return {
    algorithm: alg,
    signing: { kid: current.kid, jwk: current },
    verifying: [{ kid: current.kid, jwk: publicJwk as JsonWebKey }, ...verifyingOld],
    published: [publicJwk, ...olds.map((jwk) => publicPart(jwk, alg))],
    problem: undefined,
  };
}

/** An HMAC secret and the `kid` that names it in token headers. */
export interface SecretKey {
  kid: string;
  secret: string;
}

/** An HMAC secret as an `oct` JWK. */
export const secretAsJwk = (key: SecretKey): JsonWebKey & { kid: string } => ({
  kty: "oct",
  k: btoa(String.fromCharCode(...new TextEncoder().encode(key.secret))).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, ""),
  alg: "HS256",
  kid: key.kid,
});

/** The HS256 keys: the current secret and the retired ones. Nothing is published. */
export function hmacKeys(current: SecretKey | undefined, all: SecretKey[], minBytes: number): JwtKeys {
  return {
    algorithm: "HS256",
    signing: current && { kid: current.kid, jwk: secretAsJwk(current) },
    verifying: all.map((key) => ({ kid: key.kid, jwk: secretAsJwk(key) })),
    published: [],
    problem: current ? undefined : `JWT_SECRET is missing or shorter than ${minBytes} bytes; refusing to issue tokens`,
  };
}
