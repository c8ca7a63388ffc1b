/**
 * Social login's configuration, read once with the rest (src/config.ts): the enabled providers
 * (API.md "Social login": `OAUTH_<PROVIDER>_CLIENT_ID` and `_CLIENT_SECRET`, and `OIDC_PROVIDERS`)
 * and the allow-list of apps to send the browser back to (`OAUTH_REDIRECT_URLS`). A setting that
 * cannot be used is reported as a `problem` (a logged server error on the social routes only),
 * never silently widened.
 */
import { z } from "zod";

export type ProviderKind = "google" | "github" | "apple" | "microsoft" | "oidc";

interface Client {
  id: string;
  clientId: string;
  clientSecret: string;
}

export type ProviderSettings =
  | (Client & { kind: "google" })
  /** `baseUrl`: https://github.com, or a GitHub Enterprise Server's address (OAUTH_GITHUB_URL). */
  | (Client & { kind: "github"; baseUrl: string })
  /** Apple signs in with a client-secret JWT made per request from the key (`clientSecret`: the .p8 PEM). */
  | (Client & { kind: "apple"; teamId: string; keyId: string })
  | (Client & { kind: "microsoft"; tenant: string })
  | (Client & { kind: "oidc"; issuer: string });

export interface OAuthSettings {
  providers: Map<string, ProviderSettings>;
  /** OAUTH_REDIRECT_URLS: the apps' pages a browser flow may end on (scheme, host, port and path compared). */
  redirectUrls: URL[];
  /** Why a setting was refused (logged as a server error when a social route runs). */
  problem?: string;
}

/** `text` as a URL, or undefined when it is none. */
export function urlOf(text: string): URL | undefined {
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}

/** Development issuers: plain http is accepted on these hosts only. */
const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);

/** Whether `url` may be fetched for identity: https, or http on the loopback (development). */
export function secureOrLoopback(url: URL): boolean {
  return url.protocol === "https:" || (url.protocol === "http:" && LOOPBACK.has(url.hostname));
}

/** Words the routes use after `/api/auth/social/`: no provider may take them. */
const RESERVED = new Set(["exchange"]);

const oidcEntry = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,31}$/),
  issuer: z.string().url(),
  client_id: z.string().min(1),
  client_secret: z.string().min(1),
});

/** The Worker's social-login variables (README "Social login"); the secrets are set with `wrangler secret put`. */
export interface OAuthVariables {
  /** Google's OAuth client (both set: Google enabled); the secret is a secret. */
  OAUTH_GOOGLE_CLIENT_ID?: string;
  OAUTH_GOOGLE_CLIENT_SECRET?: string;
  /** A GitHub OAuth app (both set: GitHub enabled). */
  OAUTH_GITHUB_CLIENT_ID?: string;
  OAUTH_GITHUB_CLIENT_SECRET?: string;
  /** A GitHub Enterprise Server's address instead of https://github.com. */
  OAUTH_GITHUB_URL?: string;
  /** Sign in with Apple: the Services ID, and (a secret) the .p8 private key's PEM text. */
  OAUTH_APPLE_CLIENT_ID?: string;
  OAUTH_APPLE_CLIENT_SECRET?: string;
  /** The Apple developer team and the key's id, which Apple's client-secret JWT names. */
  OAUTH_APPLE_TEAM_ID?: string;
  OAUTH_APPLE_KEY_ID?: string;
  /** A Microsoft Entra ID app registration (both set: Microsoft enabled). */
  OAUTH_MICROSOFT_CLIENT_ID?: string;
  OAUTH_MICROSOFT_CLIENT_SECRET?: string;
  /** `common` (default), `organizations`, `consumers` or a tenant id. */
  OAUTH_MICROSOFT_TENANT?: string;
  /** JSON: `[{"id", "issuer", "client_id", "client_secret"}]`, any OpenID Connect provider (a secret: it holds client secrets). */
  OIDC_PROVIDERS?: string;
  /** The app pages a browser flow may end on, comma-separated. */
  OAUTH_REDIRECT_URLS?: string;
}

export function oauthSettings(vars: OAuthVariables): OAuthSettings {
  const providers = new Map<string, ProviderSettings>();
  const problems: string[] = [];
  const pair = (name: string) => {
    const clientId = (vars as Record<string, string | undefined>)[`OAUTH_${name}_CLIENT_ID`]?.trim();
    const clientSecret = (vars as Record<string, string | undefined>)[`OAUTH_${name}_CLIENT_SECRET`]?.trim();
    return clientId && clientSecret ? { clientId, clientSecret } : undefined;
  };
  const google = pair("GOOGLE");
  if (google) providers.set("google", { id: "google", kind: "google", ...google });
  const github = pair("GITHUB");
  if (github) {
    const baseUrl = (vars.OAUTH_GITHUB_URL?.trim() || "https://github.com").replace(/\/+$/, "");
    const base = urlOf(baseUrl);
    if (base && secureOrLoopback(base)) providers.set("github", { id: "github", kind: "github", baseUrl, ...github });
    else problems.push("OAUTH_GITHUB_URL must be an https URL (http only on 127.0.0.1 or localhost)");
  }
  const apple = pair("APPLE");
  if (apple) {
    const teamId = vars.OAUTH_APPLE_TEAM_ID?.trim();
    const keyId = vars.OAUTH_APPLE_KEY_ID?.trim();
    if (teamId && keyId) providers.set("apple", { id: "apple", kind: "apple", teamId, keyId, ...apple });
    else problems.push("Apple needs OAUTH_APPLE_TEAM_ID and OAUTH_APPLE_KEY_ID besides its client id and key");
  }
  const microsoft = pair("MICROSOFT");
  if (microsoft) providers.set("microsoft", { id: "microsoft", kind: "microsoft", tenant: vars.OAUTH_MICROSOFT_TENANT?.trim() || "common", ...microsoft });
  for (const entry of oidcEntries(vars.OIDC_PROVIDERS, problems)) {
    if (providers.has(entry.id) || RESERVED.has(entry.id)) problems.push(`OIDC_PROVIDERS: the id "${entry.id}" is taken`);
    else if (!secureOrLoopback(new URL(entry.issuer))) problems.push(`OIDC_PROVIDERS: the issuer of "${entry.id}" must be https (http only on 127.0.0.1 or localhost)`);
    else providers.set(entry.id, { id: entry.id, kind: "oidc", issuer: entry.issuer.replace(/\/+$/, ""), clientId: entry.client_id, clientSecret: entry.client_secret });
  }
  const redirectUrls: URL[] = [];
  for (const item of (vars.OAUTH_REDIRECT_URLS ?? "").split(",").map((text) => text.trim()).filter(Boolean)) {
    const url = urlOf(item);
    if (url) redirectUrls.push(url);
    else problems.push(`OAUTH_REDIRECT_URLS: "${item}" is not a URL`);
  }
  return { providers, redirectUrls, ...(problems.length > 0 ? { problem: problems.join("; ") } : {}) };
}

function oidcEntries(text: string | undefined, problems: string[]): z.infer<typeof oidcEntry>[] {
  if (!text?.trim()) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    problems.push("OIDC_PROVIDERS is not JSON");
    return [];
  }
  const entries = z.array(oidcEntry).safeParse(parsed);
  if (!entries.success) {
    problems.push('OIDC_PROVIDERS must be a JSON array of {"id", "issuer", "client_id", "client_secret"}');
    return [];
  }
  return entries.data;
}

/**
 * Whether `next` is one of the allowed apps' pages: the same scheme, host, port and path as an
 * entry (query and fragment aside). Compared on parsed URLs, so no spelling of a host slips by.
 */
export function allowedNext(settings: OAuthSettings, next: string): URL | undefined {
  const url = urlOf(next);
  if (!url) return undefined;
  // No credentials in an app's address: `https://app.example@evil.example/` parses as evil's.
  if (url.username || url.password) return undefined;
  const allowed = settings.redirectUrls.some(
    (entry) => entry.protocol === url.protocol && entry.hostname === url.hostname && entry.port === url.port && entry.pathname === url.pathname,
  );
  return allowed ? url : undefined;
}
