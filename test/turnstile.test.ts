/**
 * Cloudflare Turnstile (API.md "Bot protection") against a local siteverify that answers as
 * Cloudflare's documented test secret keys do (test/siteverify/server.ts): register, password
 * reset, resend-email and a login after repeated failures need `cf-turnstile-response`; a missing
 * or refused one is answered before anything is hashed or written. Without the secret nothing changes.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { PASSWORD, call, registerUser, uniqueName } from "./helpers";
import { dbRow } from "./db";
import { DUMMY_TOKEN, FAILING_SECRET, PASSING_SECRET, SPENT_SECRET } from "./siteverify/keys";

const FIELD = "cf-turnstile-response";
const REQUIRED = { [FIELD]: ["This field is required."] };
const INVALID = { [FIELD]: ["Invalid captcha."] };
const verifyUrl = () => `${env.TEST_SITEVERIFY_URL}/siteverify`;
const withSecret = (secret: string) => ({ TURNSTILE_SECRET_KEY: secret, TURNSTILE_VERIFY_URL: verifyUrl() });

/** What the local siteverify has been sent so far. */
async function received(): Promise<{ secret: string; response: string; remoteip: string | null }[]> {
  return (await fetch(`${env.TEST_SITEVERIFY_URL}/requests`)).json();
}

const post = (path: string, body: Record<string, unknown>, secret: string | undefined, ip = "203.0.113.7") =>
  call("POST", path, { body, headers: { "CF-Connecting-IP": ip }, env: secret === undefined ? {} : withSecret(secret) });

const events = async (like: string) => (await dbRow<{ n: number }>("select count(*) as n from throttle_events where key like ?", like))!.n;
const users = async (username: string) => (await dbRow<{ n: number }>("select count(*) as n from users where lower(username) = lower(?)", username))!.n;
const registration = (username: string, extra: Record<string, unknown> = {}) => ({ username, email: `${username}@example.com`, password: PASSWORD, password2: PASSWORD, ...extra });

describe("registration with Turnstile on", () => {
  it("needs the field, and refuses a missing, failing or spent token before any write", async () => {
    const ip = "203.0.113.10";
    const username = uniqueName();
    expect(await post("/api/auth/register/", registration(username), PASSING_SECRET, ip)).toMatchObject({ status: 400, body: REQUIRED });
    expect(await post("/api/auth/register/", registration(username, { [FIELD]: "  " }), PASSING_SECRET, ip)).toMatchObject({ status: 400, body: REQUIRED });
    expect(await post("/api/auth/register/", registration(username, { [FIELD]: DUMMY_TOKEN }), FAILING_SECRET, ip)).toMatchObject({ status: 400, body: INVALID });
    expect(await post("/api/auth/register/", registration(username, { [FIELD]: DUMMY_TOKEN }), SPENT_SECRET, ip)).toMatchObject({ status: 400, body: INVALID });
    expect(await post("/api/auth/register/", registration(username, { [FIELD]: DUMMY_TOKEN }), "0x4AAAAAAAwrongsecret", ip)).toMatchObject({ status: 400, body: INVALID });
    expect(await users(username)).toBe(0);
    // Not even the registration throttle counted them.
    expect(await events(`register-address:${ip}`)).toBe(0);

    const created = await post("/api/auth/register/", registration(username, { [FIELD]: DUMMY_TOKEN }), PASSING_SECRET, ip);
    expect(created).toMatchObject({ status: 201, body: { detail: "User registered successfully." } });
    expect(await users(username)).toBe(1);
    // The secret, the token and the client's address went to siteverify.
    expect((await received()).at(-1)).toEqual({ secret: PASSING_SECRET, response: DUMMY_TOKEN, remoteip: ip });
  });

  it("changes nothing without the secret: no field needed, siteverify never asked", async () => {
    const before = (await received()).length;
    const username = uniqueName();
    expect(await post("/api/auth/register/", registration(username, { [FIELD]: 42 }), undefined)).toMatchObject({ status: 201 });
    expect(await post("/api/auth/login/", { username, password: PASSWORD }, undefined)).toMatchObject({ status: 200 });
    expect((await received()).length).toBe(before);
  });

  it("answers a server error, logged, for a verify URL that is neither https nor local, and writes nothing", async () => {
    const username = uniqueName();
    const response = await call("POST", "/api/auth/register/", {
      body: registration(username, { [FIELD]: DUMMY_TOKEN }),
      env: { TURNSTILE_SECRET_KEY: PASSING_SECRET, TURNSTILE_VERIFY_URL: "http://turnstile.example/siteverify" },
    });
    expect(response).toMatchObject({ status: 500, body: { detail: "A server error occurred." } });
    expect(await users(username)).toBe(0);
  });
});

describe("password reset and resend-email with Turnstile on", () => {
  it("needs the field before the mail is counted", async () => {
    const user = await registerUser();
    const ip = "203.0.113.20";
    expect(await post("/api/auth/password/reset/", { email: user.email }, PASSING_SECRET, ip)).toMatchObject({ status: 400, body: REQUIRED });
    expect(await post("/api/auth/password/reset/", { email: user.email, [FIELD]: DUMMY_TOKEN }, FAILING_SECRET, ip)).toMatchObject({ status: 400, body: INVALID });
    expect(await post("/api/auth/registration/resend-email/", { email: user.email }, PASSING_SECRET, ip)).toMatchObject({ status: 400, body: REQUIRED });
    expect(await post("/api/auth/registration/resend-email/", { email: user.email, [FIELD]: DUMMY_TOKEN }, SPENT_SECRET, ip)).toMatchObject({ status: 400, body: INVALID });
    expect(await events(`%${ip}%`)).toBe(0);
    expect(await events(`%${user.email}%`)).toBe(0);

    expect(await post("/api/auth/password/reset/", { email: user.email, [FIELD]: DUMMY_TOKEN }, PASSING_SECRET, ip)).toMatchObject({
      status: 200,
      body: { detail: "Password reset e-mail has been sent." },
    });
    expect(await post("/api/auth/registration/resend-email/", { email: user.email, [FIELD]: DUMMY_TOKEN }, PASSING_SECRET, ip)).toMatchObject({
      status: 200,
      body: { detail: "ok" },
    });
  });
});

describe("login with Turnstile on", () => {
  it("asks for it once a username has failed 3 times, from any address, before anything is hashed or counted", async () => {
    const user = await registerUser();
    // Two failures: no captcha yet.
    for (const ip of ["198.51.100.1", "198.51.100.2"]) {
      expect(await post("/api/auth/login/", { username: user.username, password: "wrong-password-9" }, PASSING_SECRET, ip)).toMatchObject({ status: 401 });
    }
    expect(await post("/api/auth/login/", { username: user.username, password: "wrong-password-9" }, PASSING_SECRET, "198.51.100.3")).toMatchObject({ status: 401 });
    const counted = await events(`login-user-address:${user.username.toLowerCase()}|%`);
    expect(counted).toBe(3);
    const sessions = await dbRow("select count(*) as n from token_families t join users u on u.id = t.user_id where u.username = ?", user.username);

    // Now even the right password needs a token.
    expect(await post("/api/auth/login/", { username: user.username, password: PASSWORD }, PASSING_SECRET, "198.51.100.4")).toMatchObject({ status: 400, body: REQUIRED });
    expect(await post("/api/auth/login/", { username: user.username, password: PASSWORD, [FIELD]: DUMMY_TOKEN }, FAILING_SECRET, "198.51.100.4")).toMatchObject({
      status: 400,
      body: INVALID,
    });
    expect(await events(`login-user-address:${user.username.toLowerCase()}|%`)).toBe(counted);
    expect(await dbRow("select count(*) as n from token_families t join users u on u.id = t.user_id where u.username = ?", user.username)).toEqual(sessions);

    const signedIn = await post("/api/auth/login/", { username: user.username, password: PASSWORD, [FIELD]: DUMMY_TOKEN }, PASSING_SECRET, "198.51.100.4");
    expect(signedIn).toMatchObject({ status: 200, body: { refresh: expect.any(String), access: expect.any(String) } });
    expect((await received()).at(-1)).toEqual({ secret: PASSING_SECRET, response: DUMMY_TOKEN, remoteip: "198.51.100.4" });
    // Another username is not asked.
    const other = await registerUser();
    expect(await post("/api/auth/login/", { username: other.username, password: PASSWORD }, PASSING_SECRET, "198.51.100.4")).toMatchObject({ status: 200 });
  });
});
