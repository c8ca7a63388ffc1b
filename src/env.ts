/** The Worker's bindings (storage, secrets, variables, as wrangler.toml and `.dev.vars` declare them) and the per-request variables. */
import type { OAuthVariables } from "./auth/oauth/settings";
import type { Config } from "./config";
import type { CallerStore, FeedJob, Store } from "./store";

/** Social login's variables (README "Social login"; the secrets with `wrangler secret put`) are declared with their parser. */
export interface Env extends OAuthVariables {
  DB: D1Database;
  /** PostgreSQL through Hyperdrive: with this binding the PostgreSQL engine serves, not D1 (README: "Storage engines"). */
  HYPERDRIVE?: Hyperdrive;
  KV: KVNamespace;
  /** The feed's background work (fan-out, backfill, purge, promotion): consumed by this same Worker. */
  FEED_QUEUE: Queue<FeedJob>;
  BUCKET: R2Bucket;
  /** Cloudflare Email Service (`[[send_email]]` in wrangler.toml; emulated locally). */
  EMAIL?: SendEmail;
  /** The sender of every message, an address of a domain onboarded to Email Service. */
  EMAIL_FROM?: string;
  /** `none` (default), `optional` or `mandatory` (django-allauth's EMAIL_VERIFICATION). */
  EMAIL_VERIFICATION?: string;
  /** Seconds a verification key works; default 259200. */
  EMAIL_VERIFICATION_TIMEOUT?: string;
  /** Seconds a password-reset link works; default 3600. */
  PASSWORD_RESET_TIMEOUT?: string;
  /** Another page for reset links, with `{uid}` and `{token}` in it. */
  PASSWORD_RESET_URL?: string;
  /** `<count>/<seconds>`: emails requested from one address, and sent to one address; default 5/3600. */
  THROTTLE_EMAIL?: string;
  /** Signs new tokens; at least 32 bytes. A secret (`wrangler secret put JWT_SECRET`). */
  JWT_SECRET?: string;
  /** Retired signing secrets, comma-separated, whose tokens still verify during a rotation. */
  JWT_SECRETS_PREVIOUS?: string;
  /** `HS256` (default), `ES256` or `EdDSA`. */
  JWT_ALGORITHM?: string;
  /** ES256 / EdDSA: the private JWK (JSON, with its kid) that signs. A secret. */
  JWT_PRIVATE_KEY?: string;
  /** ES256 / EdDSA: a JSON array of retired public JWKs whose tokens still verify. */
  JWT_PUBLIC_KEYS_PREVIOUS?: string;
  /** The service's public origin: the `iss` of tokens and the origin of mailed links. */
  PUBLIC_URL?: string;
  /** Seconds; default 300. */
  ACCESS_TOKEN_LIFETIME?: string;
  /** Seconds; default 86400. */
  REFRESH_TOKEN_LIFETIME?: string;
  /** Origins allowed by CORS, comma-separated; `*` allows any (development only). */
  CORS_ORIGINS?: string;
  /** `<count>/<seconds>` limits: see the README's security section. */
  THROTTLE_LOGIN_USER_ADDRESS?: string;
  THROTTLE_LOGIN_ADDRESS?: string;
  THROTTLE_LOGIN_USER?: string;
  THROTTLE_PASSWORD_CHECK?: string;
  THROTTLE_REGISTER_ADDRESS?: string;
  /** `<count>/<seconds>`: wrong two-factor codes per user (default 5/900); over it even a right code is refused. */
  THROTTLE_MFA?: string;
  /** The issuer authenticator apps show beside a TOTP entry (default: PUBLIC_URL's host). */
  TOTP_ISSUER?: string;
  /** The WebAuthn relying party id of passkeys (default: PUBLIC_URL's host name); a passkey works only under it. */
  WEBAUTHN_RP_ID?: string;
  /** Origins (comma-separated) passkey ceremonies may come from (default: PUBLIC_URL's origin). */
  WEBAUTHN_ORIGINS?: string;
  /** Cloudflare Turnstile's secret key (a secret): with it, register, password reset, resend and repeated login failures need a `cf-turnstile-response`. */
  TURNSTILE_SECRET_KEY?: string;
  /** Turnstile's siteverify endpoint (default Cloudflare's); plain http only on 127.0.0.1 or localhost. */
  TURNSTILE_VERIFY_URL?: string;
  /** Seconds (default 10) a just-replaced refresh token may be presented again without ending its session. */
  REFRESH_REUSE_GRACE?: string;
  /** `1` adds Server-Timing to API responses. */
  SERVER_TIMING?: string;
  /** Followers from which an author's posts are pulled into feeds at read time (default 10000). */
  FEED_PULL_THRESHOLD?: string;
  /** Rows one feed job handles (default 1000). */
  FEED_CHUNK?: string;
}

/** What every handler sees on `c.var`. */
export interface Variables {
  config: Config;
  /** The storage engine's store for this request (src/lib/storage.ts). */
  store: Store;
  /** Set by the Bearer middleware: the id in a valid access token (for the request log). */
  userId: number;
  /**
   * Set by the Bearer middleware on routes whose definition has bearer security: the caller's
   * store, whose every method reads the user and session with its work. Absent on other routes.
   */
  caller: CallerStore;
  /** Cloudflare's ray id, or a random id locally; in every log line and the X-Request-Id header. */
  requestId: string;
}

export interface AppEnv {
  Bindings: Env;
  Variables: Variables;
}
