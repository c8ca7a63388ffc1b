/**
 * Linked provider accounts (connect, list, unlink), GitHub's user-API path (against a local
 * stand-in of GitHub's OAuth endpoints and REST API: test/oauth/servers.ts), and account
 * deletion and export, on both engines.
 */
import { describe, expect, it } from "vitest";
import { APP_PAGE, OTHER_GITHUB_CLIENT } from "./oauth/fixtures";
import { PASSWORD, call, decodeJwt, signedInUser, uniqueName } from "./helpers";
import { dbRow, dbRows, dbRun } from "./db";
import {
  githubBrowserFlow,
  githubToken,
  githubUser,
  landing,
  exchange,
  nativeLogin,
  providerAccount,
  providerTokens,
  socialFootprint,
  startLogin,
  subOf,
} from "./social-login-flows";

const ISO = expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
const INCORRECT_VALUE = { non_field_errors: ["Incorrect value"] };
const LAST_WAY = { detail: "You cannot remove your only way to sign in." };

const userIdOf = (access: string) => decodeJwt(access).payload.user_id as number;
const connect = (token: string, body: Record<string, unknown>, provider = "local") => call("POST", `/api/auth/social/${provider}/connect/`, { token, body });
const links = (token: string) => call("GET", "/api/auth/social-accounts/", { token });
const unlink = (token: string, id: number) => call("DELETE", `/api/auth/social-accounts/${id}/`, { token });
const linkRows = (userId: number) => dbRows<{ id: number }>("select id from social_accounts where user_id = ? order by id", userId);

/** A user who signed up with the provider alone (no usable password), signed in. */
async function socialOnlyUser() {
  const account = providerAccount();
  const { id_token } = await providerTokens(account);
  const response = await nativeLogin("local", { id_token });
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return { account, id_token, access: response.body.access as string, id: userIdOf(response.body.access) };
}

describe("connect/", () => {
  it("links a provider account to the caller, who then signs in with it; a repeat answers the same link", async () => {
    const me = await signedInUser();
    const account = providerAccount({ email: `${uniqueName("c")}@provider.example`, emailVerified: false });
    const { id_token } = await providerTokens(account);
    const linked = await connect(me.access, { id_token });
    expect([linked.status, linked.body]).toEqual([200, { id: expect.any(Number), provider: "local", uid: subOf(account), email: account.email, created: ISO }]);
    expect((await connect(me.access, { id_token })).body).toEqual(linked.body);
    expect((await links(me.access)).body).toEqual({ results: [linked.body] });
    // The provider's (unverified) email did not matter: the caller proved both accounts.
    const signedIn = await nativeLogin("local", { id_token });
    expect(userIdOf(signedIn.body.access)).toBe(me.id);
  });

  it("refuses an account already connected to another user, and a token that does not verify; nothing changes", async () => {
    const owner = await socialOnlyUser();
    const me = await signedInUser();
    const before = await socialFootprint();
    const taken = await connect(me.access, { id_token: owner.id_token });
    expect([taken.status, taken.body]).toEqual([400, { non_field_errors: ["This account is already connected to another user."] }]);
    const bad = await connect(me.access, { id_token: `${owner.id_token}x` });
    expect([bad.status, bad.body]).toEqual([400, INCORRECT_VALUE]);
    expect(await socialFootprint()).toEqual(before);
    expect((await links(me.access)).body).toEqual({ results: [] });
  });

  it("needs a signed-in caller before anything else", async () => {
    const response = await call("POST", "/api/auth/social/local/connect/", { body: { id_token: "x" } });
    expect([response.status, response.body]).toEqual([401, { detail: "Authentication credentials were not provided." }]);
  });
});

describe("social-accounts/ and unlinking", () => {
  it("never removes the last way to sign in: a social-only user's one link stays", async () => {
    const user = await socialOnlyUser();
    const [row] = await linkRows(user.id);
    const refused = await unlink(user.access, row!.id);
    expect([refused.status, refused.body]).toEqual([400, LAST_WAY]);
    expect(await linkRows(user.id)).toEqual([row]);
  });

  it("removes a link while another one remains, then keeps the last", async () => {
    const user = await socialOnlyUser();
    const { id_token } = await providerTokens(providerAccount());
    const second = await connect(user.access, { id_token });
    const [first] = await linkRows(user.id);
    expect((await unlink(user.access, first!.id)).status).toBe(204);
    expect((await links(user.access)).body).toEqual({ results: [second.body] });
    const refused = await unlink(user.access, second.body.id);
    expect([refused.status, refused.body]).toEqual([400, LAST_WAY]);
  });

  it("lets two racing unlinks of a social-only user's two links remove exactly one", async () => {
    // Several users at once, so that the two deletes of one user do overlap somewhere.
    const users = await Promise.all(
      Array.from({ length: 6 }, async () => {
        const user = await socialOnlyUser();
        await connect(user.access, { id_token: (await providerTokens(providerAccount())).id_token });
        return { ...user, links: await linkRows(user.id) };
      }),
    );
    const answers = await Promise.all(users.map((user) => Promise.all(user.links.map((link) => unlink(user.access, link.id)))));
    for (const [index, user] of users.entries()) {
      expect(answers[index]!.map((answer) => answer.status).sort()).toEqual([204, 400]);
      expect(await linkRows(user.id)).toHaveLength(1);
    }
  });

  it("unlinks a password user's only link (the password remains), and answers 404 for another's or an unknown link", async () => {
    const me = await signedInUser();
    const other = await socialOnlyUser();
    const linked = await connect(me.access, { id_token: (await providerTokens(providerAccount())).id_token });
    const [theirs] = await linkRows(other.id);
    for (const id of [theirs!.id, 987654321]) {
      const response = await unlink(me.access, id);
      expect([response.status, response.body]).toEqual([404, { detail: "Not found." }]);
    }
    expect(await linkRows(other.id)).toEqual([theirs]);
    expect((await unlink(me.access, linked.body.id)).status).toBe(204);
    expect((await links(me.access)).body).toEqual({ results: [] });
    expect((await call("POST", "/api/auth/login/", { body: { username: me.username, password: PASSWORD } })).status).toBe(200);
  });

  it("counts a password set later (a reset) as a way to sign in", async () => {
    const user = await socialOnlyUser();
    const [row] = await linkRows(user.id);
    await dbRun("update users set password = ? where id = ?", "argon2$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g", user.id);
    expect((await unlink(user.access, row!.id)).status).toBe(204);
  });
});

describe("GitHub (OAuth 2.0 and its user API, against a local stand-in)", () => {
  it("signs a new user up through the browser flow with PKCE: the login as username, the primary verified email", async () => {
    const started = await startLogin("github");
    expect(Object.fromEntries(started.authorizeUrl.searchParams)).toEqual({
      response_type: "code",
      client_id: "gh-client",
      redirect_uri: "http://api.test/api/auth/social/github/callback/",
      state: expect.any(String),
      code_challenge_method: "S256",
      code_challenge: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      scope: "read:user user:email",
    });
    const user = githubUser({ emails: [{ email: "old@users.example", primary: false, verified: true }] });
    user.emails.push({ email: `${user.login}@users.example`, primary: true, verified: true });
    const { fragment, url } = landing(await githubBrowserFlow(user));
    expect(`${url.origin}${url.pathname}`).toBe(APP_PAGE);
    const signedIn = await exchange(fragment.get("code")!);
    expect(signedIn.status).toBe(200);
    const profile = await call("GET", "/api/auth/profile/", { token: signedIn.body.access });
    expect(profile.body).toMatchObject({ username: user.login, email: `${user.login}@users.example`, email_verified: true });
    expect((await links(signedIn.body.access)).body).toEqual({
      results: [{ id: expect.any(Number), provider: "github", uid: String(user.id), email: `${user.login}@users.example`, created: ISO }],
    });
  });

  it("signs a native app in with its access token, and refuses a token issued to another app (no audience to check otherwise)", async () => {
    const user = githubUser();
    const ours = await nativeLogin("github", { access_token: await githubToken(user) });
    expect(ours.status, JSON.stringify(ours.body)).toBe(200);
    const stranger = githubUser();
    const before = await socialFootprint();
    const theirs = await nativeLogin("github", { access_token: await githubToken(stranger, OTHER_GITHUB_CLIENT.id) });
    expect([theirs.status, theirs.body]).toEqual([400, INCORRECT_VALUE]);
    const unknown = await nativeLogin("github", { access_token: "gho_unknown" });
    expect([unknown.status, unknown.body]).toEqual([400, INCORRECT_VALUE]);
    // GitHub gives no ID token.
    const idToken = await nativeLogin("github", { id_token: "x.y.z" });
    expect([idToken.status, idToken.body]).toEqual([400, INCORRECT_VALUE]);
    expect(await socialFootprint()).toEqual(before);
  });

  it("refuses an unverified GitHub email equal to someone's account, in both flows", async () => {
    const owner = await signedInUser();
    await dbRun("update users set email_verified = ? where id = ?", true, owner.id);
    const user = githubUser({ emails: [{ email: owner.email, primary: true, verified: false }] });
    const before = await socialFootprint();
    expect(landing(await githubBrowserFlow(user)).url.href).toBe(`${APP_PAGE}#error=email_taken`);
    const native = await nativeLogin("github", { access_token: await githubToken(user) });
    expect([native.status, native.body]).toEqual([400, { non_field_errors: ["A user is already registered with this e-mail address."] }]);
    expect(await socialFootprint()).toEqual(before);
  });
});

describe("account deletion and export", () => {
  it("exports the linked accounts (no token, no secret), and deleting the account deletes them and their codes", async () => {
    const me = await signedInUser();
    const account = providerAccount({ email: `${uniqueName("e")}@provider.example`, emailVerified: true });
    const linked = await connect(me.access, { id_token: (await providerTokens(account)).id_token });
    const exported = await call("GET", "/api/auth/profile/export/", { token: me.access });
    expect(exported.body.social_accounts).toEqual([linked.body]);
    // No provider token (an ID token is a JWT: `eyJ...`) is kept, so none can be exported.
    expect(JSON.stringify(exported.body)).not.toMatch(/eyJ/);

    // An unexchanged code of this user is left behind by a browser flow.
    const { fragment } = landing(await githubBrowserFlow(githubUser()));
    await dbRun("update oauth_codes set user_id = ? where user_id = (select max(id) from users)", me.id);
    expect(fragment.get("code")).toBeTruthy();
    const removed = await call("DELETE", "/api/auth/profile/", { token: me.access, body: { password: PASSWORD } });
    expect(removed.status).toBe(204);
    expect(await dbRow("select count(*) as n from social_accounts where user_id = ?", me.id)).toEqual({ n: 0 });
    expect(await dbRow("select count(*) as n from oauth_codes where user_id = ?", me.id)).toEqual({ n: 0 });
    // The identity is free again: signing in with it makes a new account.
    const again = await nativeLogin("local", { id_token: (await providerTokens(account)).id_token });
    expect(again.status).toBe(200);
    expect(userIdOf(again.body.access)).not.toBe(me.id);
  });
});
