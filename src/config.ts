/** Reads and validates the Worker's variables once per isolate; handlers get a typed object. */
import { sha256 } from "@noble/hashes/sha2.js";
import { encodeBase64Url } from "hono/utils/encode";
import { z } from "zod";
import { JWT_ALGORITHMS, type JwtAlgorithm, type JwtKey, type JwtKeys, type SecretKey, asymmetricKeys, hmacKeys } from "./auth/jwt-keys";
import { type OAuthSettings, oauthSettings } from "./auth/oauth/settings";
import type { Env } from "./env";
import { ServerMisconfigured } from "./http/errors";

/** An HMAC secret and the `kid` that names it in token headers. */
export type SigningKey = SecretKey;

/** `<count>/<seconds>`: at most `limit` counted attempts in any `periodMs` window. */
export interface Rate {
  limit: number;
  periodMs: number;
}

export interface Config {
  accessLifetimeSeconds: number;
  refreshLifetimeSeconds: number;
  /** The key that signs; undefined when JWT_SECRET is missing or too short (see `signingKey`). */
  currentKey: SigningKey | undefined;
  /** Every key that verifies: the current one first, then the retired ones. */
  verifyingKeys: SigningKey[];
  /** The keys of access tokens: JWT_ALGORITHM's (HS256: the secrets above; ES256/EdDSA: JWKs, published). */
  jwt: JwtKeys;
  /** The keys of refresh tokens: always HS256 with the secrets above, never a published key. */
  refreshJwt: JwtKeys;
  /** PUBLIC_URL: the `iss` of every token, and the origin of mailed links. */
  publicUrl: string;
  corsOrigins: string[];
  throttle: { loginUserAddress: Rate; loginAddress: Rate; loginUser: Rate; passwordCheck: Rate; registerAddress: Rate; email: Rate; mfa: Rate };
  /** The issuer an authenticator app shows beside a TOTP entry (TOTP_ISSUER, default PUBLIC_URL's host). */
  totpIssuer: string;
  /** The WebAuthn relying party: WEBAUTHN_RP_ID (default PUBLIC_URL's host name) and the origins assertions may come from (WEBAUTHN_ORIGINS, default PUBLIC_URL's). */
  webauthn: { rpId: string; origins: string[] };
  /** Cloudflare Turnstile in front of register, password reset, resend and repeated login failures: only with TURNSTILE_SECRET_KEY. */
  turnstile?: { secretKey: string; verifyUrl: string };
  /** The sender of every message (EMAIL_FROM). */
  emailFrom: string;
  /** allauth's EMAIL_VERIFICATION: whether registration mails a key, and whether login needs it used. */
  emailVerification: "none" | "optional" | "mandatory";
  /** Seconds a verification key works (EMAIL_VERIFICATION_TIMEOUT). */
  emailVerificationTimeoutSeconds: number;
  /** Seconds a password-reset link works (PASSWORD_RESET_TIMEOUT). */
  passwordResetTimeoutSeconds: number;
  /** The reset page's URL with `{uid}` and `{token}` (PASSWORD_RESET_URL, default on PUBLIC_URL). */
  passwordResetUrl: string;
  /** Seconds a just-replaced refresh token may be presented again without ending its session. */
  refreshReuseGraceSeconds: number;
  /** SERVER_TIMING=1: Server-Timing headers on API responses. */
  serverTiming: boolean;
  /** The feed (docs/SCALING.md): an author with this many followers has their posts pulled at read time rather than fanned out. */
  feedPullThreshold: number;
  /** Follows (or posts) one feed job handles before it hands the rest to the next message. */
  feedChunk: number;
  /** Social login: the enabled providers and the apps a browser flow may return to. */
  oauth: OAuthSettings;
}

const MIN_SECRET_BYTES = 32;

const seconds = (fallback: number) =>
  z.coerce.number().int().positive().max(10 * 365 * 86_400).catch(fallback).default(fallback);

/** Periods are capped at a day: the cron forgets older attempts. */
export const MAX_THROTTLE_PERIOD_SECONDS = 86_400;

const rate = (fallback: string) =>
  z
    .string()
    .regex(/^\d{1,6}\/\d{1,6}$/)
    .catch(fallback)
    .default(fallback)
    .transform((text): Rate => {
      const [limit, seconds] = text.split("/").map(Number) as [number, number];
      return { limit: Math.max(1, limit), periodMs: Math.min(Math.max(1, seconds), MAX_THROTTLE_PERIOD_SECONDS) * 1000 };
    });

const variables = z.object({
  ACCESS_TOKEN_LIFETIME: seconds(300),
  REFRESH_TOKEN_LIFETIME: seconds(86_400),
  JWT_SECRET: z.string().optional(),
  JWT_SECRETS_PREVIOUS: z.string().default(""),
  JWT_ALGORITHM: z.string().default("HS256"),
  JWT_PRIVATE_KEY: z.string().optional(),
  JWT_PUBLIC_KEYS_PREVIOUS: z.string().optional(),
  PUBLIC_URL: z.string().url().catch("http://127.0.0.1:8787").default("http://127.0.0.1:8787").transform((url) => url.replace(/\/+$/, "")),
  CORS_ORIGINS: z.string().default(""),
  THROTTLE_LOGIN_USER_ADDRESS: rate("5/900"),
  THROTTLE_LOGIN_ADDRESS: rate("30/900"),
  THROTTLE_LOGIN_USER: rate("20/3600"),
  THROTTLE_PASSWORD_CHECK: rate("5/900"),
  THROTTLE_REGISTER_ADDRESS: rate("20/3600"),
  THROTTLE_EMAIL: rate("5/3600"),
  THROTTLE_MFA: rate("5/900"),
  TOTP_ISSUER: z.string().trim().min(1).max(100).optional().catch(undefined),
  WEBAUTHN_RP_ID: z.string().trim().toLowerCase().optional(),
  WEBAUTHN_ORIGINS: z.string().default(""),
  TURNSTILE_SECRET_KEY: z.string().trim().optional(),
  TURNSTILE_VERIFY_URL: z.string().optional(),
  EMAIL_FROM: z.string().default("no-reply@example.com"),
  PASSWORD_RESET_TIMEOUT: seconds(3600),
  EMAIL_VERIFICATION: z.enum(["none", "optional", "mandatory"]).catch("none").default("none"),
  EMAIL_VERIFICATION_TIMEOUT: seconds(259_200),
  PASSWORD_RESET_URL: z.string().optional(),
  REFRESH_REUSE_GRACE: z.coerce.number().int().min(0).max(300).catch(10).default(10),
  SERVER_TIMING: z.string().default(""),
  FEED_PULL_THRESHOLD: z.coerce.number().int().min(1).catch(10_000).default(10_000),
  FEED_CHUNK: z.coerce.number().int().min(1).max(5_000).catch(1_000).default(1_000),
});

const list = (value: string) => value.split(",").map((item) => item.trim()).filter(Boolean);

/**
 * A key id derived from the secret itself, so rotating needs no naming scheme: the retired
 * secret keeps its kid. 64 bits of a SHA-256 reveal nothing usable about a 32-byte secret.
 */
function keyFor(secret: string): SigningKey {
  const digest = sha256(new TextEncoder().encode(`kid:${secret}`)).slice(0, 8);
  return { kid: encodeBase64Url(digest.buffer as ArrayBuffer).replace(/=+$/, ""), secret };
}

const strongEnough = (secret: string | undefined): secret is string =>
  secret !== undefined && new TextEncoder().encode(secret).length >= MIN_SECRET_BYTES;

function parse(env: Env): Config {
  const vars = variables.parse(env);
  const currentKey = strongEnough(vars.JWT_SECRET) ? keyFor(vars.JWT_SECRET) : undefined;
  const previous = list(vars.JWT_SECRETS_PREVIOUS).filter(strongEnough).map(keyFor);
  const verifyingKeys = currentKey ? [currentKey, ...previous] : previous;
  return {
    accessLifetimeSeconds: vars.ACCESS_TOKEN_LIFETIME,
    refreshLifetimeSeconds: vars.REFRESH_TOKEN_LIFETIME,
    currentKey,
    verifyingKeys,
    jwt: jwtKeys(vars, currentKey, verifyingKeys),
    refreshJwt: hmacKeys(currentKey, verifyingKeys, MIN_SECRET_BYTES),
    publicUrl: vars.PUBLIC_URL,
    corsOrigins: list(vars.CORS_ORIGINS),
    throttle: {
      loginUserAddress: vars.THROTTLE_LOGIN_USER_ADDRESS,
      loginAddress: vars.THROTTLE_LOGIN_ADDRESS,
      loginUser: vars.THROTTLE_LOGIN_USER,
      passwordCheck: vars.THROTTLE_PASSWORD_CHECK,
      registerAddress: vars.THROTTLE_REGISTER_ADDRESS,
      email: vars.THROTTLE_EMAIL,
      mfa: vars.THROTTLE_MFA,
    },
    totpIssuer: vars.TOTP_ISSUER ?? new URL(vars.PUBLIC_URL).host,
    webauthn: {
      rpId: vars.WEBAUTHN_RP_ID || new URL(vars.PUBLIC_URL).hostname,
      origins: list(vars.WEBAUTHN_ORIGINS).length > 0 ? list(vars.WEBAUTHN_ORIGINS).map(webauthnOrigin) : [new URL(vars.PUBLIC_URL).origin],
    },
    ...(vars.TURNSTILE_SECRET_KEY ? { turnstile: { secretKey: vars.TURNSTILE_SECRET_KEY, verifyUrl: turnstileVerifyUrl(vars.TURNSTILE_VERIFY_URL) } } : {}),
    emailFrom: vars.EMAIL_FROM,
    passwordResetTimeoutSeconds: vars.PASSWORD_RESET_TIMEOUT,
    emailVerification: vars.EMAIL_VERIFICATION,
    emailVerificationTimeoutSeconds: vars.EMAIL_VERIFICATION_TIMEOUT,
    // Links are built from configuration only, never from the request's Host header.
    passwordResetUrl: vars.PASSWORD_RESET_URL?.includes("{uid}") && vars.PASSWORD_RESET_URL.includes("{token}")
      ? vars.PASSWORD_RESET_URL
      : `${vars.PUBLIC_URL}/account/reset/{uid}/{token}/`,
    refreshReuseGraceSeconds: vars.REFRESH_REUSE_GRACE,
    serverTiming: vars.SERVER_TIMING === "1",
    feedPullThreshold: vars.FEED_PULL_THRESHOLD,
    feedChunk: vars.FEED_CHUNK,
    oauth: oauthSettings(env),
  };
}

/**
 * An entry of WEBAUTHN_ORIGINS as browsers write it in clientDataJSON: a web origin without a path
 * or trailing slash; anything else (an Android app's `android:apk-key-hash:...`) as given.
 */
function webauthnOrigin(entry: string): string {
  if (!/^https?:\/\//i.test(entry)) return entry;
  try {
    return new URL(entry).origin;
  } catch {
    return entry;
  }
}

/** Cloudflare's siteverify endpoint, unless TURNSTILE_VERIFY_URL names another. */
export const TURNSTILE_SITEVERIFY = "https://challenges.cloudflare.com/turnstile/v0/siteverify";

/**
 * TURNSTILE_VERIFY_URL: https anywhere, plain http only on 127.0.0.1 or localhost (a local
 * siteverify in development and tests). Anything else is a server error when first needed
 * (logged, never shown), never a silent fallback that would send the secret somewhere unexpected.
 */
function turnstileVerifyUrl(value: string | undefined): string {
  if (value === undefined || value.trim() === "") return TURNSTILE_SITEVERIFY;
  try {
    const url = new URL(value.trim());
    const local = url.hostname === "127.0.0.1" || url.hostname === "localhost";
    if (url.protocol === "https:" || (url.protocol === "http:" && local)) return url.href;
  } catch {
    // Not a URL: refused below.
  }
  return "";
}

function jwtKeys(vars: z.infer<typeof variables>, currentKey: SigningKey | undefined, verifyingKeys: SigningKey[]): JwtKeys {
  const algorithm = vars.JWT_ALGORITHM as JwtAlgorithm;
  if (algorithm === "ES256" || algorithm === "EdDSA") return asymmetricKeys(algorithm, vars.JWT_PRIVATE_KEY, vars.JWT_PUBLIC_KEYS_PREVIOUS);
  const keys = hmacKeys(currentKey, verifyingKeys, MIN_SECRET_BYTES);
  if (algorithm !== "HS256") return { ...keys, signing: undefined, verifying: [], problem: `JWT_ALGORITHM must be one of ${JWT_ALGORITHMS.join(", ")}` };
  return keys;
}

const cache = new WeakMap<Env, Config>();

export function configFrom(env: Env): Config {
  let config = cache.get(env);
  if (!config) {
    config = parse(env);
    cache.set(env, config);
  }
  return config;
}

/** The key that signs with `keys` (access tokens' by default), or a server error (logged, never shown) when the configuration gives none. */
export function signingKey(config: Config, keys: JwtKeys = config.jwt): JwtKey {
  if (!keys.signing) throw new ServerMisconfigured(keys.problem ?? "no signing key");
  return keys.signing;
}

/** JWT_SECRET, which also keys reset-link HMACs; a server error (logged) when it is unusable. */
export function signingSecret(config: Config): string {
  if (!config.currentKey) throw new ServerMisconfigured(`JWT_SECRET is missing or shorter than ${MIN_SECRET_BYTES} bytes`);
  return config.currentKey.secret;
}
