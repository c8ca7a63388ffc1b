/**
 * What the d1 and postgres projects' tests and their local identity servers agree on: the
 * clients registered at the local OpenID Connect provider and at the GitHub stand-in, and how a
 * test names the account it signs in as. Imported by vitest.config.ts (bindings), the global
 * setup (the servers) and the tests.
 */

/** The API's client at the local provider (OIDC_PROVIDERS entry "local"). */
export const OIDC_CLIENT = { id: "api-client", secret: "api-client-secret" };
/** Another app registered at the same provider: its ID tokens are for another audience. */
export const OTHER_CLIENT = { id: "other-app", secret: "other-app-secret", redirectUri: "https://other.example/callback" };
/** Where a native app registered with the provider receives its code (the native code flow's redirect_uri). */
export const NATIVE_REDIRECT = "https://app.example/native-callback";

export const GITHUB_CLIENT = { id: "gh-client", secret: "gh-client-secret" };
export const OTHER_GITHUB_CLIENT = { id: "gh-other-app", secret: "gh-other-secret" };

/** The apps a browser flow may return to (OAUTH_REDIRECT_URLS). */
export const APP_PAGE = "https://app.example/signed-in";
export const NATIVE_APP_PAGE = "com.example.app://signed-in";

/** The API's origin in the tests (PUBLIC_URL): the redirect URI registered at the provider follows from it. */
export const API_ORIGIN = "http://api.test";

/** A test account at the provider: the login typed into its sign-in form encodes its claims. */
export interface ProviderAccount {
  /** Unique per test (the provider's `sub` is the whole encoded login). */
  id: string;
  email?: string;
  emailVerified?: boolean;
  username?: string;
}

export function accountLogin(account: ProviderAccount): string {
  return [account.id, account.email ?? "", account.emailVerified ? "1" : "0", account.username ?? ""].join("|");
}

export function accountClaims(login: string): Record<string, unknown> {
  const [id = login, email = "", verified = "0", username = ""] = login.split("|");
  return {
    sub: login,
    ...(email ? { email, email_verified: verified === "1" } : {}),
    ...(username ? { preferred_username: username } : {}),
    name: id,
  };
}

/** A GitHub user of the stand-in: its numeric id, login and address list. */
export interface GitHubUser {
  id: number;
  login: string;
  emails: { email: string; primary: boolean; verified: boolean }[];
}
