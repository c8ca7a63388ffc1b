/**
 * The enabled providers as `arctic` clients: where a browser is sent (state, PKCE S256 where the
 * provider takes it, a nonce for OpenID Connect), how a code becomes tokens, and how tokens become
 * an identity (an ID token checked against the provider's keys, or GitHub's user API).
 */
import { Apple, CodeChallengeMethod, Google, MicrosoftEntraId, OAuth2Client, type OAuth2Tokens } from "arctic";
import type { JWTPayload } from "jose";
import { decodeBase64 } from "hono/utils/encode";
import type { ProviderIdentity } from "../../store";
import { discover } from "./discovery";
import { IdentityRejected, ProviderUnavailable } from "./errors";
import { type GitHubApp, checkTokenIsOurs, githubIdentity } from "./github";
import { type IdTokenRules, verifyIdToken } from "./id-token";
import type { ProviderSettings } from "./settings";

/** An identity and the name the provider knows it by (a new account's username is derived from it). */
export type ExternalIdentity = ProviderIdentity & { username: string | null };

/** What one browser login carries from its start to its callback (in the signed cookie). */
export interface LoginSecrets {
  state: string;
  codeVerifier: string;
  nonce: string;
}

export interface SocialProvider {
  id: string;
  /** Where to send the browser. */
  authorizationUrl(redirectUri: string, login: LoginSecrets): Promise<URL>;
  /** A code the provider sent back (browser flow: with this login's verifier and nonce; native: the app's verifier, no nonce). */
  identityFromCode(code: string, codeVerifier: string, redirectUri: string, nonce?: string): Promise<ExternalIdentity>;
  /** A native app's ID token (Google, Apple, Microsoft, OpenID Connect). */
  identityFromIdToken(idToken: string): Promise<ExternalIdentity>;
  /** A native app's access token (GitHub). */
  identityFromAccessToken(accessToken: string): Promise<ExternalIdentity>;
}

const OIDC_SCOPES = ["openid", "email", "profile"];

/** Arctic's failures of a token request: the provider refused the code (or its verifier). */
async function exchanged(request: () => Promise<OAuth2Tokens>): Promise<OAuth2Tokens> {
  try {
    return await request();
  } catch (error) {
    if (error instanceof Error && error.name === "ArcticFetchError") throw new ProviderUnavailable(`token endpoint: ${error.message}`);
    throw new IdentityRejected(`code refused: ${(error as Error).name}`);
  }
}

/** The ID token of a token response (an OpenID Connect provider must give one). */
function idTokenOf(tokens: OAuth2Tokens): string {
  try {
    return tokens.idToken();
  } catch {
    throw new IdentityRejected("no ID token in the token response");
  }
}

const claim = (payload: JWTPayload, name: string) => (typeof payload[name] === "string" && payload[name] !== "" ? (payload[name] as string) : null);
/** `true`, or Apple's `"true"`. */
const affirmed = (value: unknown) => value === true || value === "true";

/** The identity an ID token's claims describe. Microsoft's `email` is unverified unless `xms_edov` (email domain owner verified) says so. */
function identityOfClaims(provider: string, payload: JWTPayload): ExternalIdentity {
  const emailVerified = affirmed(payload.email_verified) || (provider === "microsoft" && affirmed(payload.xms_edov));
  return {
    provider,
    uid: payload.sub!,
    email: claim(payload, "email"),
    emailVerified,
    username: claim(payload, "preferred_username") ?? claim(payload, "nickname") ?? claim(payload, "given_name") ?? claim(payload, "name"),
  };
}

/** A provider that signs in with ID tokens: `client` makes its URLs and exchanges its codes. */
function oidcProvider(
  id: string,
  rules: () => Promise<Omit<IdTokenRules, "nonce">>,
  client: (redirectUri: string) => Promise<{ url(login: LoginSecrets): URL; exchange(code: string, codeVerifier: string): Promise<OAuth2Tokens> }>,
  userinfo?: () => Promise<string | undefined>,
): SocialProvider {
  async function fromIdToken(idToken: string, nonce: string | undefined, accessToken?: string): Promise<ExternalIdentity> {
    const payload = await verifyIdToken(idToken, { ...(await rules()), nonce });
    const identity = identityOfClaims(id, payload);
    // Some providers put the email in the userinfo answer only (OpenID Connect core, 5.4).
    if (identity.email === null && accessToken && userinfo) return withUserinfo(identity, accessToken, await userinfo());
    return identity;
  }
  return {
    id,
    async authorizationUrl(redirectUri, login) {
      const url = (await client(redirectUri)).url(login);
      url.searchParams.set("nonce", login.nonce);
      return url;
    },
    async identityFromCode(code, codeVerifier, redirectUri, nonce) {
      const tokens = await exchanged(async () => (await client(redirectUri)).exchange(code, codeVerifier));
      let accessToken: string | undefined;
      try {
        accessToken = tokens.accessToken();
      } catch {
        accessToken = undefined;
      }
      return fromIdToken(idTokenOf(tokens), nonce, accessToken);
    },
    identityFromIdToken: (idToken) => fromIdToken(idToken, undefined),
    async identityFromAccessToken() {
      throw new IdentityRejected(`${id} takes an ID token`);
    },
  };
}

/** The email (and its verification) from the userinfo endpoint, for the same subject only. */
async function withUserinfo(identity: ExternalIdentity, accessToken: string, endpoint: string | undefined): Promise<ExternalIdentity> {
  if (!endpoint) return identity;
  let info: Record<string, unknown>;
  try {
    const response = await fetch(endpoint, { headers: { Authorization: `Bearer ${accessToken}`, Accept: "application/json" } });
    if (!response.ok) return identity;
    info = (await response.json()) as Record<string, unknown>;
  } catch {
    return identity;
  }
  if (info.sub !== identity.uid) return identity;
  const found = identityOfClaims(identity.provider, info as JWTPayload);
  return { ...identity, email: found.email, emailVerified: found.email !== null && found.emailVerified, username: identity.username ?? found.username };
}

/** A PKCS#8 key from its PEM text (Apple's .p8 file). */
function pkcs8(pem: string): Uint8Array {
  return decodeBase64(pem.replace(/-----[A-Z ]+-----/g, "").replace(/\s+/g, ""));
}

const MICROSOFT = "https://login.microsoftonline.com";

export function providerFor(settings: ProviderSettings): SocialProvider {
  switch (settings.kind) {
    case "google":
      return oidcProvider(
        settings.id,
        async () => ({
          jwksUri: "https://www.googleapis.com/oauth2/v3/certs",
          issuer: (payload) => payload.iss === "https://accounts.google.com" || payload.iss === "accounts.google.com",
          clientId: settings.clientId,
        }),
        async (redirectUri) => {
          const google = new Google(settings.clientId, settings.clientSecret, redirectUri);
          return { url: (login) => google.createAuthorizationURL(login.state, login.codeVerifier, OIDC_SCOPES), exchange: (code, verifier) => google.validateAuthorizationCode(code, verifier) };
        },
      );
    case "microsoft": {
      // A tenant named by its id has one issuer; common, organizations and consumers sign users of many tenants in.
      const tenantIssuer = `${MICROSOFT}/${settings.tenant}/v2.0`;
      const named = /^[0-9a-f-]{36}$/i.test(settings.tenant);
      return oidcProvider(
        settings.id,
        async () => ({
          jwksUri: `${MICROSOFT}/${settings.tenant}/discovery/v2.0/keys`,
          issuer: (payload) => (named ? payload.iss === tenantIssuer : typeof payload.tid === "string" && payload.iss === `${MICROSOFT}/${payload.tid}/v2.0`),
          clientId: settings.clientId,
        }),
        async (redirectUri) => {
          const microsoft = new MicrosoftEntraId(settings.tenant, settings.clientId, settings.clientSecret, redirectUri);
          return { url: (login) => microsoft.createAuthorizationURL(login.state, login.codeVerifier, OIDC_SCOPES), exchange: (code, verifier) => microsoft.validateAuthorizationCode(code, verifier) };
        },
      );
    }
    case "apple":
      return oidcProvider(
        settings.id,
        async () => ({ jwksUri: "https://appleid.apple.com/auth/keys", issuer: "https://appleid.apple.com", clientId: settings.clientId }),
        async (redirectUri) => {
          const apple = new Apple(settings.clientId, settings.teamId, settings.keyId, pkcs8(settings.clientSecret), redirectUri);
          return {
            url(login) {
              // Apple takes no PKCE. Asking for the email makes it answer by a form POST to the callback.
              const url = apple.createAuthorizationURL(login.state, ["name", "email"]);
              url.searchParams.set("response_mode", "form_post");
              return url;
            },
            exchange: (code) => apple.validateAuthorizationCode(code),
          };
        },
      );
    case "oidc": {
      const metadata = () => discover(settings.issuer);
      return oidcProvider(
        settings.id,
        async () => {
          const found = await metadata();
          return { jwksUri: found.jwksUri, issuer: found.issuer, clientId: settings.clientId };
        },
        async (redirectUri) => {
          const found = await metadata();
          const client = new OAuth2Client(settings.clientId, settings.clientSecret, redirectUri);
          return {
            url: (login) => client.createAuthorizationURLWithPKCE(found.authorizationEndpoint, login.state, CodeChallengeMethod.S256, login.codeVerifier, OIDC_SCOPES),
            exchange: (code, verifier) => client.validateAuthorizationCode(found.tokenEndpoint, code, verifier),
          };
        },
        async () => (await metadata()).userinfoEndpoint,
      );
    }
    case "github":
      return githubProvider(settings);
  }
}

/**
 * GitHub through arctic's generic client: arctic's `GitHub` class has github.com's endpoints built
 * in and sends no PKCE; the generic one takes the endpoints (so GitHub Enterprise Server, and a
 * local stand-in in the tests) and PKCE, which GitHub supports.
 */
function githubProvider(app: GitHubApp & { id: string }): SocialProvider {
  const client = (redirectUri: string) => new OAuth2Client(app.clientId, app.clientSecret, redirectUri);
  return {
    id: app.id,
    async authorizationUrl(redirectUri, login) {
      return client(redirectUri).createAuthorizationURLWithPKCE(`${app.baseUrl}/login/oauth/authorize`, login.state, CodeChallengeMethod.S256, login.codeVerifier, ["read:user", "user:email"]);
    },
    async identityFromCode(code, codeVerifier, redirectUri) {
      const tokens = await exchanged(() => client(redirectUri).validateAuthorizationCode(`${app.baseUrl}/login/oauth/access_token`, code, codeVerifier));
      let accessToken: string;
      try {
        accessToken = tokens.accessToken();
      } catch {
        // GitHub answers a refused code with 200 and an `error` member.
        throw new IdentityRejected("GitHub refused the code");
      }
      return githubIdentity(app, accessToken);
    },
    async identityFromIdToken() {
      throw new IdentityRejected("GitHub takes an access token");
    },
    async identityFromAccessToken(accessToken) {
      await checkTokenIsOurs(app, accessToken);
      return githubIdentity(app, accessToken);
    },
  };
}
