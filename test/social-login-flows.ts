/**
 * The social-login tests' moves, against the real local identity servers (test/oauth/servers.ts):
 * a browser's flow through the Worker and the provider (redirects followed with fetch, each
 * party's cookies kept by hand), a native app's tokens and codes obtained from the provider as a
 * platform SDK would, and GitHub tokens from the stand-in.
 */
import { env } from "cloudflare:workers";
import { expect } from "vitest";
import { API_ORIGIN, APP_PAGE, GITHUB_CLIENT, type GitHubUser, NATIVE_REDIRECT, OIDC_CLIENT, type ProviderAccount, accountLogin } from "./oauth/fixtures";
import { type Sent, call } from "./helpers";
import { dbRow } from "./db";

export const ISSUER: string = JSON.parse(env.OIDC_PROVIDERS!)[0].issuer;
export const GITHUB_URL = env.OAUTH_GITHUB_URL!;

/** Cookies of one party (name=value), updated from Set-Cookie headers. */
export class CookieJar {
  readonly values = new Map<string, string>();
  take(headers: Headers): void {
    for (const line of (headers as Headers & { getSetCookie(): string[] }).getSetCookie()) {
      const [pair = ""] = line.split(";");
      const at = pair.indexOf("=");
      const [name, value] = [pair.slice(0, at).trim(), pair.slice(at + 1).trim()];
      if (/max-age=0|expires=thu, 01 jan 1970/i.test(line) || value === "") this.values.delete(name);
      else this.values.set(name, value);
    }
  }
  header(): string {
    return [...this.values].map(([name, value]) => `${name}=${value}`).join("; ");
  }
}

/** A unique account at the provider (its `sub` is the whole login: see fixtures.ts). */
export function providerAccount(fields: Omit<ProviderAccount, "id"> = {}): ProviderAccount {
  return { id: `acct${crypto.randomUUID().slice(0, 8)}`, ...fields };
}

/** The `sub` the provider gives `account`: the uid the API stores. */
export const subOf = (account: ProviderAccount) => accountLogin(account);

export interface StartedLogin {
  response: Sent;
  authorizeUrl: URL;
  /** The API's cookie jar of this browser (the sealed state). */
  jar: CookieJar;
}

/** The browser opens `login/` at the API. */
export async function startLogin(provider = "local", next = APP_PAGE): Promise<StartedLogin> {
  const response = await call("GET", `/api/auth/social/${provider}/login/?next=${encodeURIComponent(next)}`);
  expect(response.status, JSON.stringify(response.body)).toBe(302);
  const jar = new CookieJar();
  jar.take(response.headers);
  return { response, authorizeUrl: new URL(response.headers.get("Location")!), jar };
}

/**
 * The browser at the local provider: its sign-in page (as `account`) and consent page, each form
 * submitted, until the provider sends it back to the API; that callback URL. `abort`: the user
 * cancels at the sign-in page instead.
 */
export async function approveAtProvider(authorizeUrl: URL, account: ProviderAccount, { abort = false } = {}): Promise<URL> {
  const jar = new CookieJar();
  let url = authorizeUrl.href;
  let request: RequestInit = { method: "GET" };
  for (let step = 0; step < 12; step += 1) {
    const response = await fetch(url, { ...request, redirect: "manual", headers: { ...(request.headers as Record<string, string>), Cookie: jar.header() } });
    jar.take(response.headers);
    const location = response.headers.get("Location");
    if (location) {
      const next = new URL(location, url);
      if (next.origin !== ISSUER) return next;
      [url, request] = [next.href, { method: "GET" }];
      continue;
    }
    const html = await response.text();
    expect(response.status, html).toBe(200);
    if (abort) {
      [url, request] = [`${url.replace(/\/$/, "")}/abort`, { method: "GET" }];
      continue;
    }
    const action = /<form[^>]*action="([^"]+)"/.exec(html)![1]!.replaceAll("&amp;", "&");
    const prompt = /name="prompt" value="(\w+)"/.exec(html)![1]!;
    const form = new URLSearchParams({ prompt, ...(prompt === "login" ? { login: accountLogin(account), password: "any" } : {}) });
    [url, request] = [new URL(action, url).href, { method: "POST", body: form.toString(), headers: { "Content-Type": "application/x-www-form-urlencoded" } }];
  }
  throw new Error("the provider never sent the browser back");
}

/** The browser arrives at the API's callback (with the API's cookies); the API's answer. */
export function arriveAtCallback(callbackUrl: URL, jar: CookieJar): Promise<Sent> {
  expect(callbackUrl.origin).toBe(API_ORIGIN);
  return call("GET", `${callbackUrl.pathname}${callbackUrl.search}`, { headers: { Cookie: jar.header() } });
}

/** Where the API's callback sent the browser, and the fragment's parameters. */
export function landing(response: Sent): { url: URL; fragment: URLSearchParams } {
  expect(response.status, JSON.stringify(response.body)).toBe(302);
  const url = new URL(response.headers.get("Location")!);
  return { url, fragment: new URLSearchParams(url.hash.slice(1)) };
}

/** A whole browser flow as `account`: the callback's answer. */
export async function browserFlow(account: ProviderAccount, next = APP_PAGE): Promise<Sent> {
  const started = await startLogin("local", next);
  const callbackUrl = await approveAtProvider(started.authorizeUrl, account);
  return arriveAtCallback(callbackUrl, started.jar);
}

export const exchange = (code: string) => call("POST", "/api/auth/social/exchange/", { body: { code } });

/** A whole browser flow then the exchange: the sign-in's answer. */
export async function signInByBrowser(account: ProviderAccount): Promise<Sent> {
  const { fragment } = landing(await browserFlow(account));
  const code = fragment.get("code");
  expect(code, fragment.toString()).toMatch(/^[A-Za-z0-9_-]{43}$/);
  return exchange(code!);
}

async function pkce(): Promise<{ verifier: string; challenge: string }> {
  const verifier = crypto.randomUUID() + crypto.randomUUID();
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier)));
  const challenge = btoa(String.fromCharCode(...digest)).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
  return { verifier, challenge };
}

/** A native app's authorization at the provider (as its SDK does it): the code sent to `redirectUri`, and its PKCE verifier. */
export async function providerCode(account: ProviderAccount, client: { id: string } = { id: OIDC_CLIENT.id }, redirectUri = NATIVE_REDIRECT) {
  const { verifier, challenge } = await pkce();
  const url = new URL(`${ISSUER}/auth`);
  for (const [name, value] of Object.entries({
    client_id: client.id, redirect_uri: redirectUri, response_type: "code", scope: "openid email profile",
    state: "native", nonce: "native-nonce", code_challenge: challenge, code_challenge_method: "S256",
  })) url.searchParams.set(name, value);
  const back = await approveAtProvider(url, account);
  return { code: back.searchParams.get("code")!, verifier, redirectUri };
}

/** A native app's tokens from the provider for `account`, issued to `client` (another client: another audience). */
export async function providerTokens(account: ProviderAccount, client: { id: string; secret: string; redirectUri?: string } = OIDC_CLIENT) {
  const { code, verifier, redirectUri } = await providerCode(account, client, client.redirectUri ?? NATIVE_REDIRECT);
  const response = await fetch(`${ISSUER}/token`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Authorization: `Basic ${btoa(`${client.id}:${client.secret}`)}` },
    body: new URLSearchParams({ grant_type: "authorization_code", code, code_verifier: verifier, redirect_uri: redirectUri }).toString(),
  });
  const body = (await response.json()) as { id_token: string; access_token: string };
  expect(response.status, JSON.stringify(body)).toBe(200);
  return body;
}

export const nativeLogin = (provider: string, body: Record<string, unknown>) => call("POST", `/api/auth/social/${provider}/`, { body });

/** A GitHub user of the stand-in, unique per call. */
export function githubUser(fields: Partial<GitHubUser> = {}): GitHubUser {
  const id = Math.floor(Math.random() * 1e9);
  return { id, login: `octo${id}`, emails: [{ email: `octo${id}@users.example`, primary: true, verified: true }], ...fields };
}

/** A token the stand-in issued to app `clientId` for `user` (another app's token: another audience). */
export async function githubToken(user: GitHubUser, clientId = GITHUB_CLIENT.id): Promise<string> {
  const response = await fetch(`${GITHUB_URL}/test/tokens`, { method: "POST", body: JSON.stringify({ clientId, user }) });
  return ((await response.json()) as { access_token: string }).access_token;
}

/** The browser flow through GitHub (the stand-in approves at once as `user`): the callback's answer. */
export async function githubBrowserFlow(user: GitHubUser): Promise<Sent> {
  const started = await startLogin("github");
  const authorize = new URL(started.authorizeUrl);
  authorize.searchParams.set("as", btoa(JSON.stringify(user)).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, ""));
  const response = await fetch(authorize, { redirect: "manual" });
  return arriveAtCallback(new URL(response.headers.get("Location")!), started.jar);
}

/** Rows that a refused sign-in must not have written. */
export async function socialFootprint() {
  const count = async (table: string) => (await dbRow<{ n: number }>(`select count(*) as n from ${table}`))!.n;
  return { users: await count("users"), links: await count("social_accounts"), codes: await count("oauth_codes"), sessions: await count("token_families") };
}
