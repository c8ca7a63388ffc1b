/**
 * GitHub, which is OAuth 2.0 without OpenID Connect: the identity comes from its user API with the
 * access token (`/user`, and `/user/emails` for a verified address). A token a native app sends
 * is first checked to be one issued to this app (`POST /applications/{client_id}/token`, with the
 * app's credentials): a GitHub token carries no audience, and one issued to any other app the
 * user authorised must not sign them in here.
 */
import { z } from "zod";
import type { ProviderIdentity } from "../../store";
import { IdentityRejected, ProviderUnavailable } from "./errors";

export interface GitHubApp {
  baseUrl: string;
  clientId: string;
  clientSecret: string;
}

/** The REST API's root: api.github.com for github.com, `<host>/api/v3` on GitHub Enterprise Server. */
export const githubApi = (baseUrl: string) => (baseUrl === "https://github.com" ? "https://api.github.com" : `${baseUrl}/api/v3`);

const user = z.object({ id: z.number().int(), login: z.string(), email: z.string().nullable().optional() });
const emails = z.array(z.object({ email: z.string(), primary: z.boolean(), verified: z.boolean() }));

export type GitHubIdentity = ProviderIdentity & { username: string };

const headers = (authorization: string) => ({
  Authorization: authorization,
  Accept: "application/vnd.github+json",
  "X-GitHub-Api-Version": "2022-11-28",
  // GitHub refuses requests without one.
  "User-Agent": "social-media-api",
});

async function getJson(url: string, init: RequestInit): Promise<{ status: number; body: unknown }> {
  let response: Response;
  try {
    response = await fetch(url, init);
  } catch (error) {
    throw new ProviderUnavailable(`GitHub ${url}: ${(error as Error).message}`);
  }
  const body = await response.json().catch(() => undefined);
  return { status: response.status, body };
}

/** Refuses a token that was not issued to this app (404 from GitHub: unknown to this client id). */
export async function checkTokenIsOurs(app: GitHubApp, accessToken: string): Promise<void> {
  const basic = btoa(`${app.clientId}:${app.clientSecret}`);
  const { status } = await getJson(`${githubApi(app.baseUrl)}/applications/${encodeURIComponent(app.clientId)}/token`, {
    method: "POST",
    headers: { ...headers(`Basic ${basic}`), "Content-Type": "application/json" },
    body: JSON.stringify({ access_token: accessToken }),
  });
  if (status === 404 || status === 422) throw new IdentityRejected("GitHub: the token is not this app's");
  if (status !== 200) throw new ProviderUnavailable(`GitHub token check answered ${status}`);
}

/** The identity an access token belongs to: the account, and its primary email if verified there. */
export async function githubIdentity(app: GitHubApp, accessToken: string): Promise<GitHubIdentity> {
  const api = githubApi(app.baseUrl);
  const bearer = headers(`Bearer ${accessToken}`);
  const [account, addresses] = await Promise.all([getJson(`${api}/user`, { headers: bearer }), getJson(`${api}/user/emails`, { headers: bearer })]);
  if (account.status === 401) throw new IdentityRejected("GitHub: the token is not valid");
  const parsed = user.safeParse(account.body);
  if (account.status !== 200 || !parsed.success) throw new ProviderUnavailable(`GitHub /user answered ${account.status}`);
  // Without the user:email scope (or a GitHub App's permission) the list is refused: only the
  // public address is left, and nothing says GitHub verified it.
  const list = addresses.status === 200 ? emails.safeParse(addresses.body) : undefined;
  const primary = list?.success ? list.data.find((entry) => entry.primary) : undefined;
  const email = primary?.email ?? parsed.data.email ?? null;
  return {
    provider: "github",
    uid: String(parsed.data.id),
    email,
    emailVerified: primary !== undefined && primary.verified,
    username: parsed.data.login,
  };
}
