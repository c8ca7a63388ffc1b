/**
 * Social login (API.md "Social login") against a real OpenID Connect provider running locally
 * (npm's oidc-provider: test/oauth/servers.ts), on both engines: the browser flow end to end,
 * the native flow with the provider's real ID tokens and codes, account matching, and the
 * attacks of issue 25, each refused with the contract's exact answer and nothing changed.
 */
import { describe, expect, it } from "vitest";
import { APP_PAGE, NATIVE_APP_PAGE, OTHER_CLIENT } from "./oauth/fixtures";
import { PASSWORD, call, decodeJwt, lastLoginLanded, newProfile, registerUser, uniqueName } from "./helpers";
import { dbRow, dbRows, dbRun } from "./db";
import {
  ISSUER,
  approveAtProvider,
  arriveAtCallback,
  browserFlow,
  exchange,
  landing,
  nativeLogin,
  providerAccount,
  providerCode,
  providerTokens,
  signInByBrowser,
  socialFootprint,
  startLogin,
  subOf,
} from "./social-login-flows";

const CALLBACK = "http://api.test/api/auth/social/local/callback/";
const INCORRECT_VALUE = { non_field_errors: ["Incorrect value"] };
const EMAIL_TAKEN = { non_field_errors: ["A user is already registered with this e-mail address."] };
const DISABLED = { non_field_errors: ["User account is disabled."] };
const ISO = expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);

const userIdOf = (access: string) => decodeJwt(access).payload.user_id as number;

/** A registered (password) user whose email counts as verified. */
async function verifiedUser() {
  const user = await registerUser();
  const row = await dbRow<{ id: number }>("select id from users where username = ?", user.username);
  await dbRun("update users set email_verified = ? where id = ?", true, row!.id);
  return { ...user, id: row!.id };
}

describe("the browser flow", () => {
  it("sends the browser to the provider with state, PKCE S256 and a nonce, sealed in a short-lived cookie", async () => {
    const { response, authorizeUrl } = await startLogin();
    expect(`${authorizeUrl.origin}${authorizeUrl.pathname}`).toBe(`${ISSUER}/auth`);
    const params = Object.fromEntries(authorizeUrl.searchParams);
    expect(params).toEqual({
      response_type: "code",
      client_id: "api-client",
      redirect_uri: CALLBACK,
      state: expect.stringMatching(/^[A-Za-z0-9_-]{20,}$/),
      code_challenge_method: "S256",
      code_challenge: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      scope: "openid email profile",
      nonce: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
    });
    const cookie = response.headers.get("Set-Cookie")!;
    expect(cookie).toMatch(/^social_login=[A-Za-z0-9_-]+\.[0-9a-f]{64}; Max-Age=600; Path=\/api\/auth\/social\/; HttpOnly; Secure; SameSite=Lax$/);
    // Nothing is stored on the server for a login that has only begun.
    expect(response.body).toBeUndefined();
  });

  it("signs a new user up: back to the app with a one-time code, exchanged for tokens; a derived username, the verified email, an unusable password", async () => {
    const before = await socialFootprint();
    const account = providerAccount({ email: `${uniqueName("new")}@provider.example`, emailVerified: true, username: "Zoë Doe!" });
    const callback = await browserFlow(account);
    const { url, fragment } = landing(callback);
    expect(`${url.origin}${url.pathname}`).toBe(APP_PAGE);
    expect([...fragment.keys()]).toEqual(["code"]);
    // The state is spent whatever happens.
    expect(callback.headers.get("Set-Cookie")).toMatch(/^social_login=; Max-Age=0; Path=\/api\/auth\/social\/; HttpOnly; Secure; SameSite=Lax$/);
    // The code is kept hashed: the table never holds what the fragment carries.
    const stored = await dbRows<{ code_hash: string }>("select code_hash from oauth_codes");
    expect(stored.map((row) => row.code_hash)).not.toContain(fragment.get("code"));

    const signedIn = await exchange(fragment.get("code")!);
    expect(signedIn.status, JSON.stringify(signedIn.body)).toBe(200);
    expect(signedIn.body).toEqual({ refresh: expect.any(String), access: expect.any(String) });
    const id = userIdOf(signedIn.body.access);
    const profile = await call("GET", "/api/auth/profile/", { token: signedIn.body.access });
    expect(profile.body).toEqual({ ...newProfile({ id, username: "ZoëDoe", email: account.email! }), email_verified: true });
    const links = await call("GET", "/api/auth/social-accounts/", { token: signedIn.body.access });
    expect(links.body).toEqual({ results: [{ id: expect.any(Number), provider: "local", uid: subOf(account), email: account.email, created: ISO }] });
    const row = await dbRow<{ password: string }>("select password from users where id = ?", id);
    expect(row!.password).toMatch(/^![A-Za-z0-9]{40}$/);
    // No password signs in to it.
    expect((await call("POST", "/api/auth/login/", { body: { username: "ZoëDoe", password: row!.password } })).status).toBe(401);
    await lastLoginLanded(id);
    expect(await socialFootprint()).toEqual({ users: before.users + 1, links: before.links + 1, codes: before.codes, sessions: before.sessions + 1 });
  });

  it("signs the same identity in again as the same user, with a new session", async () => {
    const account = providerAccount({ email: `${uniqueName("again")}@provider.example`, emailVerified: true });
    const first = await signInByBrowser(account);
    const before = await socialFootprint();
    const second = await signInByBrowser(account);
    expect(second.status).toBe(200);
    expect(userIdOf(second.body.access)).toBe(userIdOf(first.body.access));
    expect(await socialFootprint()).toEqual({ ...before, sessions: before.sessions + 1 });
  });

  it("derives a free username when the provider's is taken", async () => {
    const taken = await registerUser(uniqueName("taken"));
    const signedIn = await signInByBrowser(providerAccount({ username: taken.username.toUpperCase() }));
    const profile = await call("GET", "/api/auth/profile/", { token: signedIn.body.access });
    expect(profile.body.username).toMatch(new RegExp(`^${taken.username.toUpperCase()}\\d{1,5}$`));
    // Without an email, the new account has none (and so nothing to match on).
    expect(profile.body.email).toBe("");
  });

  it("links a verified provider email to the user holding it verified (ignoring case)", async () => {
    const owner = await verifiedUser();
    const account = providerAccount({ email: owner.email.toUpperCase(), emailVerified: true });
    const before = await socialFootprint();
    const signedIn = await signInByBrowser(account);
    expect(userIdOf(signedIn.body.access)).toBe(owner.id);
    expect(await socialFootprint()).toEqual({ ...before, links: before.links + 1, sessions: before.sessions + 1 });
    // The owner's password still signs in: linking changed nothing else.
    expect((await call("POST", "/api/auth/login/", { body: { username: owner.username, password: PASSWORD } })).status).toBe(200);
  });

  it("refuses an unverified provider email equal to someone's: #error=email_taken, nothing linked or created", async () => {
    const owner = await verifiedUser();
    const before = await socialFootprint();
    const { url } = landing(await browserFlow(providerAccount({ email: owner.email, emailVerified: false })));
    expect(url.href).toBe(`${APP_PAGE}#error=email_taken`);
    expect(await socialFootprint()).toEqual(before);
  });

  it("refuses a verified provider email equal to an account whose own email is not verified", async () => {
    const owner = await registerUser();
    const before = await socialFootprint();
    const { url } = landing(await browserFlow(providerAccount({ email: owner.email, emailVerified: true })));
    expect(url.href).toBe(`${APP_PAGE}#error=email_taken`);
    expect(await socialFootprint()).toEqual(before);
  });

  it("refuses an inactive user: #error=inactive, and a code issued before the deactivation is refused at the exchange", async () => {
    const account = providerAccount({ email: `${uniqueName("gone")}@provider.example`, emailVerified: true });
    const first = await signInByBrowser(account);
    const id = userIdOf(first.body.access);
    const { fragment } = landing(await browserFlow(account));
    await dbRun("update users set is_active = ? where id = ?", false, id);
    const before = await socialFootprint();
    expect(landing(await browserFlow(account)).url.href).toBe(`${APP_PAGE}#error=inactive`);
    const late = await exchange(fragment.get("code")!);
    expect([late.status, late.body]).toEqual([400, DISABLED]);
    expect(await socialFootprint()).toEqual({ ...before, codes: before.codes - 1 });
  });

  it("answers the provider's refusal with #error=access_denied", async () => {
    const started = await startLogin();
    const back = await approveAtProvider(started.authorizeUrl, providerAccount(), { abort: true });
    const before = await socialFootprint();
    expect(landing(await arriveAtCallback(back, started.jar)).url.href).toBe(`${APP_PAGE}#error=access_denied`);
    expect(await socialFootprint()).toEqual(before);
  });

  it("takes a provider's form POST to the callback (Apple's) on to the GET callback, where the state cookie comes along", async () => {
    const started = await startLogin();
    const back = await approveAtProvider(started.authorizeUrl, providerAccount());
    const form = new URLSearchParams({ code: back.searchParams.get("code")!, state: back.searchParams.get("state")!, user: '{"name":{}}' });
    // A cross-site POST: the browser sends no SameSite=Lax cookie with it.
    const posted = await call("POST", "/api/auth/social/local/callback/", { body: form });
    expect(posted.status).toBe(303);
    const location = new URL(posted.headers.get("Location")!);
    expect(`${location.origin}${location.pathname}`).toBe(CALLBACK);
    expect(Object.fromEntries(location.searchParams)).toEqual({ code: back.searchParams.get("code"), state: back.searchParams.get("state") });
    const { fragment } = landing(await arriveAtCallback(location, started.jar));
    expect((await exchange(fragment.get("code")!)).status).toBe(200);
  });

  it("answers a code the provider refuses with #error=server_error, nothing changed", async () => {
    const started = await startLogin();
    const back = await approveAtProvider(started.authorizeUrl, providerAccount());
    back.searchParams.set("code", `${back.searchParams.get("code")}x`);
    const before = await socialFootprint();
    expect(landing(await arriveAtCallback(back, started.jar)).url.href).toBe(`${APP_PAGE}#error=server_error`);
    expect(await socialFootprint()).toEqual(before);
  });

  it("returns to any allowed app, a native app's scheme included", async () => {
    const { fragment, url } = landing(await browserFlow(providerAccount(), NATIVE_APP_PAGE));
    expect(`${url.protocol}//${url.host}${url.pathname}`).toBe(NATIVE_APP_PAGE);
    expect((await exchange(fragment.get("code")!)).status).toBe(200);
  });
});

describe("attacks on the browser flow", () => {
  it("refuses a tampered state: #error=invalid_state, no user, no link, no code", async () => {
    const started = await startLogin();
    const back = await approveAtProvider(started.authorizeUrl, providerAccount({ email: `${uniqueName("x")}@provider.example`, emailVerified: true }));
    back.searchParams.set("state", `${back.searchParams.get("state")}x`);
    const before = await socialFootprint();
    expect(landing(await arriveAtCallback(back, started.jar)).url.href).toBe(`${APP_PAGE}#error=invalid_state`);
    expect(await socialFootprint()).toEqual(before);
  });

  it("refuses a callback whose state cookie is missing, forged or another login's provider: 400, nothing changed", async () => {
    const started = await startLogin();
    const back = await approveAtProvider(started.authorizeUrl, providerAccount());
    const sealed = started.jar.values.get("social_login")!;
    const [body, mac] = sealed.split(".");
    // The cookie's contents changed (the `next` made another site's), its MAC kept.
    const forgedBody = btoa(atob(body!.replaceAll("-", "+").replaceAll("_", "/")).replace("app.example", "evil.example")).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
    const before = await socialFootprint();
    for (const cookie of ["", `social_login=${forgedBody}.${mac}`, `social_login=${body}.${"0".repeat(64)}`]) {
      const response = await call("GET", `${back.pathname}${back.search}`, { headers: cookie ? { Cookie: cookie } : {} });
      expect([response.status, response.body]).toEqual([400, { detail: "Invalid or expired login state." }]);
    }
    // The same sealed state at another provider's callback.
    const github = await call("GET", `/api/auth/social/github/callback/${back.search}`, { headers: { Cookie: `social_login=${sealed}` } });
    expect([github.status, github.body]).toEqual([400, { detail: "Invalid or expired login state." }]);
    expect(await socialFootprint()).toEqual(before);
  });

  it("refuses an ID token with another login's nonce (a code injected into this login): #error=invalid_state, nothing changed", async () => {
    const started = await startLogin();
    const injected = new URL(started.authorizeUrl);
    injected.searchParams.set("nonce", "the-attackers-own-nonce");
    const back = await approveAtProvider(injected, providerAccount({ email: `${uniqueName("n")}@provider.example`, emailVerified: true }));
    const before = await socialFootprint();
    expect(landing(await arriveAtCallback(back, started.jar)).url.href).toBe(`${APP_PAGE}#error=invalid_state`);
    expect(await socialFootprint()).toEqual(before);
  });

  it("takes a one-time code once: a replay is 400 {\"code\": [\"Invalid value\"]} and starts no session", async () => {
    const { fragment } = landing(await browserFlow(providerAccount()));
    const code = fragment.get("code")!;
    expect((await exchange(code)).status).toBe(200);
    const before = await socialFootprint();
    const replay = await exchange(code);
    expect([replay.status, replay.body]).toEqual([400, { code: ["Invalid value"] }]);
    expect(await socialFootprint()).toEqual(before);
  });

  it("gives a code raced by two exchanges to exactly one", async () => {
    const { fragment } = landing(await browserFlow(providerAccount()));
    const answers = await Promise.all([exchange(fragment.get("code")!), exchange(fragment.get("code")!)]);
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 400]);
  });

  it("refuses a code past its 60 seconds, and an unknown one", async () => {
    const { fragment } = landing(await browserFlow(providerAccount()));
    await dbRun("update oauth_codes set expires_at = ?", new Date(Date.now() - 1));
    const before = await socialFootprint();
    for (const code of [fragment.get("code")!, "A".repeat(43)]) {
      const response = await exchange(code);
      expect([response.status, response.body]).toEqual([400, { code: ["Invalid value"] }]);
    }
    expect((await socialFootprint()).sessions).toBe(before.sessions);
  });

  it("refuses a `next` outside the allow-list (scheme, host, port, path) before anything: 400, no cookie", async () => {
    const outside = [
      "https://evil.example/signed-in",
      "http://app.example/signed-in",
      "https://app.example:8443/signed-in",
      "https://app.example/signed-in/other",
      "https://app.example.evil.example/signed-in",
      "https://app.example@evil.example/signed-in",
      "//evil.example/signed-in",
      "javascript:alert(1)",
    ];
    for (const next of outside) {
      const response = await call("GET", `/api/auth/social/local/login/?next=${encodeURIComponent(next)}`);
      expect([next, response.status, response.body]).toEqual([next, 400, { next: ["Invalid redirect URL."] }]);
      expect(response.headers.get("Set-Cookie")).toBeNull();
    }
    const missing = await call("GET", "/api/auth/social/local/login/");
    expect([missing.status, missing.body]).toEqual([400, { next: ["This field is required."] }]);
    // A query string on an allowed page is the app's own business.
    expect((await call("GET", `/api/auth/social/local/login/?next=${encodeURIComponent(`${APP_PAGE}?tab=1`)}`)).status).toBe(302);
  });

  it("answers an unknown or disabled provider with 404 on every route", async () => {
    for (const provider of ["nope", "google", "apple", "microsoft"]) {
      for (const [method, path] of [["GET", "login/?next=x"], ["GET", "callback/"], ["POST", ""]] as const) {
        const response = await call(method, `/api/auth/social/${provider}/${path}`, method === "POST" ? { body: { id_token: "x" } } : {});
        expect([provider, path, response.status, response.body]).toEqual([provider, path, 404, { detail: "Not found." }]);
      }
    }
  });
});

describe("the native flow", () => {
  it("signs in with the provider's ID token, creating the account", async () => {
    const account = providerAccount({ email: `${uniqueName("app")}@provider.example`, emailVerified: true, username: "mobile_user" });
    const { id_token } = await providerTokens(account);
    const before = await socialFootprint();
    const response = await nativeLogin("local", { id_token });
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expect(response.body).toEqual({ refresh: expect.any(String), access: expect.any(String) });
    expect(await socialFootprint()).toEqual({ ...before, users: before.users + 1, links: before.links + 1, sessions: before.sessions + 1 });
    const again = await nativeLogin("local", { id_token });
    expect(userIdOf(again.body.access)).toBe(userIdOf(response.body.access));
  });

  it("makes one user and one link of racing first sign-ins of one identity", async () => {
    // No email, and a username already taken (each sign-in picks a random free one): only the
    // identity's own unique index can stop a second user, not the email's or the username's.
    const taken = await registerUser(uniqueName("racer"));
    const accounts = Array.from({ length: 4 }, () => providerAccount({ username: taken.username }));
    const tokens = await Promise.all(accounts.map((account) => providerTokens(account)));
    const before = await socialFootprint();
    const answers = await Promise.all(tokens.map(({ id_token }) => Promise.all([1, 2, 3].map(() => nativeLogin("local", { id_token })))));
    for (const group of answers) {
      expect(group.map((answer) => answer.status)).toEqual([200, 200, 200]);
      expect(new Set(group.map((answer) => userIdOf(answer.body.access))).size).toBe(1);
    }
    expect(new Set(answers.map((group) => userIdOf(group[0]!.body.access))).size).toBe(4);
    const after = await socialFootprint();
    expect([after.users - before.users, after.links - before.links]).toEqual([4, 4]);
  });

  it("signs in with a code and its PKCE verifier; a wrong verifier is refused", async () => {
    const account = providerAccount();
    const wrong = await providerCode(account);
    const before = await socialFootprint();
    const refused = await nativeLogin("local", { code: wrong.code, code_verifier: `${wrong.verifier}x`, redirect_uri: wrong.redirectUri });
    expect([refused.status, refused.body]).toEqual([400, INCORRECT_VALUE]);
    expect(await socialFootprint()).toEqual(before);
    const { code, verifier, redirectUri } = await providerCode(account);
    const response = await nativeLogin("local", { code, code_verifier: verifier, redirect_uri: redirectUri });
    expect(response.status, JSON.stringify(response.body)).toBe(200);
  });

  it("refuses an ID token issued to another app (another audience): Incorrect value, nothing created", async () => {
    const { id_token } = await providerTokens(providerAccount({ email: `${uniqueName("aud")}@provider.example`, emailVerified: true }), OTHER_CLIENT);
    expect(decodeJwt(id_token).payload.aud).toBe(OTHER_CLIENT.id);
    const before = await socialFootprint();
    const response = await nativeLogin("local", { id_token });
    expect([response.status, response.body]).toEqual([400, INCORRECT_VALUE]);
    expect(await socialFootprint()).toEqual(before);
  });

  it("refuses an ID token whose claims were changed, and one that is not a JWT", async () => {
    const { id_token } = await providerTokens(providerAccount());
    const [header, payload, signature] = id_token.split(".");
    const claims = decodeJwt(id_token).payload;
    const changed = btoa(JSON.stringify({ ...claims, sub: "someone-else" })).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
    const before = await socialFootprint();
    for (const token of [`${header}.${changed}.${signature}`, `${header}.${payload}.`, "not-a-token"]) {
      const response = await nativeLogin("local", { id_token: token });
      expect([response.status, response.body]).toEqual([400, INCORRECT_VALUE]);
    }
    expect(await socialFootprint()).toEqual(before);
  });

  it("refuses an unverified provider email equal to someone's (nothing linked), and signs an inactive user in never", async () => {
    const owner = await verifiedUser();
    const before = await socialFootprint();
    const { id_token } = await providerTokens(providerAccount({ email: owner.email, emailVerified: false }));
    const taken = await nativeLogin("local", { id_token });
    expect([taken.status, taken.body]).toEqual([400, EMAIL_TAKEN]);
    expect(await socialFootprint()).toEqual(before);

    const account = providerAccount();
    const tokens = await providerTokens(account);
    const first = await nativeLogin("local", { id_token: tokens.id_token });
    await dbRun("update users set is_active = ? where id = ?", false, userIdOf(first.body.access));
    const sessions = (await socialFootprint()).sessions;
    const refused = await nativeLogin("local", { id_token: tokens.id_token });
    expect([refused.status, refused.body]).toEqual([400, DISABLED]);
    expect((await socialFootprint()).sessions).toBe(sessions);
  });

  it("asks for one of the proofs, and a code's verifier and redirect URI", async () => {
    const none = await nativeLogin("local", {});
    expect([none.status, none.body]).toEqual([400, { non_field_errors: ["Incorrect input. access_token or code is required."] }]);
    const bare = await nativeLogin("local", { code: "abc" });
    expect([bare.status, bare.body]).toEqual([400, { code_verifier: ["This field is required."], redirect_uri: ["This field is required."] }]);
    // An OpenID Connect provider takes no bare access token: only what proves its audience.
    const access = await nativeLogin("local", { access_token: (await providerTokens(providerAccount())).access_token });
    expect([access.status, access.body]).toEqual([400, INCORRECT_VALUE]);
  });

  it("answers a two-factor account's social sign-in with the challenge, not tokens", async () => {
    const account = providerAccount();
    const { id_token } = await providerTokens(account);
    const first = await nativeLogin("local", { id_token });
    await dbRun("update users set mfa_enabled = ? where id = ?", true, userIdOf(first.body.access));
    const sessions = (await socialFootprint()).sessions;
    const challenged = await nativeLogin("local", { id_token });
    expect([challenged.status, challenged.body]).toEqual([200, { mfa_required: true, mfa_token: expect.any(String) }]);
    expect((await socialFootprint()).sessions).toBe(sessions);
    const viaBrowser = await signInByBrowser(account);
    expect([viaBrowser.status, viaBrowser.body]).toEqual([200, { mfa_required: true, mfa_token: expect.any(String) }]);
  });
});

describe("the OpenAPI document", () => {
  it("has every social-login route, with its redirects' Location header", async () => {
    const { paths } = (await call("GET", "/api/schema/")).body as { paths: Record<string, Record<string, { responses: Record<string, { headers?: Record<string, unknown> }> }>> };
    const listed = Object.entries(paths).flatMap(([path, item]) => Object.keys(item).map((method) => `${method} ${path}`));
    expect(listed).toEqual(expect.arrayContaining([
      "get /api/auth/social/{provider}/login/", "get /api/auth/social/{provider}/callback/", "post /api/auth/social/{provider}/callback/",
      "post /api/auth/social/exchange/", "post /api/auth/social/{provider}/", "post /api/auth/social/{provider}/connect/",
      "get /api/auth/social-accounts/", "delete /api/auth/social-accounts/{id}/",
    ]));
    expect(paths["/api/auth/social/{provider}/login/"]!.get!.responses["302"]!.headers).toHaveProperty("Location");
    expect(paths["/api/auth/social/{provider}/callback/"]!.get!.responses["302"]!.headers).toHaveProperty("Location");
  });
});
