import { describe, expect, it } from "vitest";
import { PASSWORD, call, decodeJwt, registerUser, uniqueName } from "./helpers";
import { ENGINE, dbRow } from "./db";

const register = (body: Record<string, unknown>) => call("POST", "/api/auth/register/", { body });

function validBody(overrides: Record<string, unknown> = {}) {
  const username = uniqueName();
  return { username, email: `${username}@example.com`, password: PASSWORD, password2: PASSWORD, ...overrides };
}

async function userCount() {
  const row = await dbRow<{ n: number }>("select count(*) as n from users");
  return row!.n;
}

const REGISTERED = { detail: "User registered successfully." };

describe("POST /api/auth/register/", () => {
  it("creates an active, non-staff user with an argon2id hash and answers 201", async () => {
    const body = validBody();
    const response = await register(body);
    expect(response.status).toBe(201);
    expect(response.body).toEqual({ detail: "User registered successfully." });
    const row = await dbRow("select * from users where username = ?", body.username);
    expect(row).toMatchObject({ email: body.email, bio: null, profile_picture: null, is_staff: 0, is_superuser: 0, is_active: 1, followers_count: 0, following_count: 0, last_login: null });
    expect(String(row!.password)).toMatch(/^argon2\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
  });

  it("works without the trailing slash", async () => {
    const body = validBody();
    const response = await call("POST", "/api/auth/register", { body });
    expect(response.status).toBe(201);
    expect(response.body).toEqual(REGISTERED);
    expect(await dbRow("select 1 as found from users where username = ?", body.username)).toEqual({ found: 1 });
  });

  it("ignores fields it does not take, such as is_staff", async () => {
    const body = validBody({ is_staff: true, is_superuser: true, id: 999999, followers_count: 7 });
    const response = await register(body);
    expect(response.status).toBe(201);
    expect(response.body).toEqual(REGISTERED);
    const row = await dbRow("select id, is_staff, is_superuser, followers_count from users where username = ?", body.username);
    expect(row).toMatchObject({ is_staff: 0, is_superuser: 0, followers_count: 0 });
    expect(row!.id).not.toBe(999999);
  });

  it("reports every missing field at once", async () => {
    const response = await register({});
    expect(response.status).toBe(400);
    expect(response.body).toEqual({
      username: ["This field is required."],
      email: ["This field is required."],
      password: ["This field is required."],
      password2: ["This field is required."],
    });
  });

  it("refuses blank, null and non-string values with DRF's messages", async () => {
    const response = await register({ username: "   ", email: null, password: ["x"], password2: { a: 1 } });
    expect(response.status).toBe(400);
    expect(response.body).toEqual({
      username: ["This field may not be blank."],
      email: ["This field may not be null."],
      password: ["Not a valid string."],
      password2: ["Not a valid string."],
    });
  });

  it("refuses a boolean for a text field", async () => {
    const response = await register(validBody({ username: true }));
    expect(response.status).toBe(400);
    expect(response.body).toEqual({ username: ["Not a valid string."] });
  });

  it("takes a number sent for a text field as its text", async () => {
    const number = Number(`9${Date.now() % 1_000_000}`);
    const response = await register({ username: number, email: `n${number}@example.com`, password: PASSWORD, password2: PASSWORD });
    expect(response.status).toBe(201);
    expect(response.body).toEqual(REGISTERED);
    const row = await dbRow("select username from users where username = ?", String(number));
    expect(row).toEqual({ username: String(number) });
  });

  it("trims surrounding whitespace from the username", async () => {
    const body = validBody();
    const response = await register({ ...body, username: `  ${body.username}  ` });
    expect(response.status).toBe(201);
    expect(response.body).toEqual(REGISTERED);
    expect(await dbRow("select 1 as found from users where username = ?", body.username)).toEqual({ found: 1 });
  });

  it("refuses usernames with characters outside letters, digits and @.+-_", async () => {
    const response = await register(validBody({ username: "bad name!" }));
    expect(response.status).toBe(400);
    expect(response.body).toEqual({
      username: ["Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters."],
    });
  });

  it("accepts Unicode letters in usernames, as Django's UnicodeUsernameValidator does", async () => {
    const username = `Zoë_Ångström.${Date.now() % 100000}`;
    const response = await register(validBody({ username, email: `zoe${Date.now() % 100000}@example.com` }));
    expect(response.status).toBe(201);
    expect(response.body).toEqual(REGISTERED);
    expect(await dbRow("select username from users where username = ?", username.normalize("NFKC"))).toEqual({ username });
  });

  it("refuses usernames over 150 characters", async () => {
    const response = await register(validBody({ username: "a".repeat(151) }));
    expect(response.status).toBe(400);
    expect(response.body).toEqual({ username: ["Ensure this field has no more than 150 characters."] });
  });

  it("refuses invalid and over-long email addresses", async () => {
    for (const email of ["not-an-email", "a@b", "a@@example.com", "a b@example.com", "@example.com", "a@-example.com"]) {
      const response = await register(validBody({ email }));
      expect(response.status, email).toBe(400);
      expect(response.body, email).toEqual({ email: ["Enter a valid email address."] });
    }
    const long = `${"a".repeat(250)}@example.com`;
    const response = await register(validBody({ email: long }));
    expect(response.body).toEqual({ email: ["Ensure this field has no more than 254 characters."] });
  });

  it("refuses a username taken in any letter case", async () => {
    const { username } = await registerUser();
    const response = await register(validBody({ username: username.toUpperCase() }));
    expect(response.status).toBe(400);
    expect(response.body).toEqual({ username: ["A user with that username already exists."] });
  });

  it("compares the case of letters beyond ASCII as the engine's lower() does: D1 (SQLite) folds ASCII only, PostgreSQL every letter", async () => {
    const suffix = uniqueName("x");
    /** Whose account a login by `username` opens. */
    const accountOf = async (username: string) => {
      const response = await call("POST", "/api/auth/login/", { body: { username, password: PASSWORD } });
      expect(response.status, username).toBe(200);
      return decodeJwt(response.body.access).payload.user_id as number;
    };
    expect(await register(validBody({ username: `émile${suffix}` }))).toMatchObject({ status: 201, body: REGISTERED });
    const before = await userCount();
    const second = await register(validBody({ username: `ÉMILE${suffix}` }));
    if (ENGINE === "d1") {
      // "É" and "é" differ to SQLite's lower(): a second user; each spelling of the first letter opens its own account.
      expect(second).toMatchObject({ status: 201, body: REGISTERED });
      expect(await userCount()).toBe(before + 1);
      expect(await accountOf(`ÉMILE${suffix}`)).not.toBe(await accountOf(`émile${suffix}`));
      expect(await accountOf(`Émile${suffix}`)).toBe(await accountOf(`ÉMILE${suffix}`));
    } else {
      // PostgreSQL's lower() follows the database's UTF-8 locale: one name, taken in any letter case.
      expect(second).toMatchObject({ status: 400, body: { username: ["A user with that username already exists."] } });
      expect(await userCount()).toBe(before);
      expect(await accountOf(`ÉMILE${suffix}`)).toBe(await accountOf(`émile${suffix}`));
    }
  });

  it("refuses an email taken in any letter case, and reports both taken fields at once", async () => {
    const { username, email } = await registerUser();
    const other = validBody({ email: email.toUpperCase() });
    expect((await register(other)).body).toEqual({ email: ["A user with that email already exists."] });
    const both = await register(validBody({ username, email }));
    expect(both.status).toBe(400);
    expect(both.body).toEqual({
      username: ["A user with that username already exists."],
      email: ["A user with that email already exists."],
    });
  });

  it("refuses mismatched passwords", async () => {
    const response = await register(validBody({ password2: `${PASSWORD}-other` }));
    expect(response.status).toBe(400);
    expect(response.body).toEqual({ password2: ["The two password fields didn't match."] });
  });

  it("applies Django's four password validators with Django's messages", async () => {
    const short = await register(validBody({ password: "x9$k", password2: "x9$k" }));
    expect(short.body).toEqual({ password: ["This password is too short. It must contain at least 8 characters."] });

    const common = await register(validBody({ password: "Password1", password2: "Password1" }));
    expect(common.body).toEqual({ password: ["This password is too common."] });

    const numeric = await register(validBody({ password: "50918273645", password2: "50918273645" }));
    expect(numeric.body).toEqual({ password: ["This password is entirely numeric."] });

    const all = await register(validBody({ password: "123456", password2: "123456" }));
    expect(all.body).toEqual({
      password: [
        "This password is too short. It must contain at least 8 characters.",
        "This password is too common.",
        "This password is entirely numeric.",
      ],
    });
  });

  it("refuses a password too similar to the username or the email", async () => {
    const username = `similar${Date.now() % 100000}`;
    const byName = await register({ username, email: `x${username}@example.com`, password: `${username}1`, password2: `${username}1` });
    expect(byName.body).toEqual({ password: ["The password is too similar to the username."] });

    const local = `mailbox${Date.now() % 100000}`;
    const byEmail = await register(validBody({ email: `${local}@example.com`, password: `${local}@example.org`, password2: `${local}@example.org` }));
    expect(byEmail.body).toEqual({ password: ["The password is too similar to the email address."] });
  });

  it("reports mismatched and weak passwords together", async () => {
    const response = await register(validBody({ password: "short", password2: "other" }));
    expect(response.body).toEqual({
      password2: ["The two password fields didn't match."],
      password: ["This password is too short. It must contain at least 8 characters."],
    });
  });

  it("takes form-encoded and multipart bodies", async () => {
    const form = validBody();
    const urlencoded = await call("POST", "/api/auth/register/", {
      body: new URLSearchParams(form as Record<string, string>),
    });
    expect(urlencoded.status).toBe(201);
    expect(urlencoded.body).toEqual(REGISTERED);
    const multipartBody = validBody();
    const data = new FormData();
    for (const [key, value] of Object.entries(multipartBody)) data.set(key, String(value));
    const multipart = await call("POST", "/api/auth/register/", { body: data });
    expect(multipart.status).toBe(201);
    expect(multipart.body).toEqual(REGISTERED);
    const rows = await dbRow("select count(*) as n from users where username in (?, ?)", form.username, multipartBody.username);
    expect(rows).toEqual({ n: 2 });
  });

  it("leaves no row behind when it refuses a registration", async () => {
    const before = await userCount();
    await register(validBody({ password2: "nope" }));
    await register(validBody({ email: "bad" }));
    await register(validBody({ password: "123", password2: "123" }));
    expect(await userCount()).toBe(before);
  });

  it("lets exactly one of two racing registrations of one username win", async () => {
    const username = uniqueName("race");
    const attempt = (n: number) => register({ username, email: `${username}${n}@example.com`, password: PASSWORD, password2: PASSWORD });
    const responses = await Promise.all([attempt(1), attempt(2)]);
    expect(responses.map((r) => r.status).sort()).toEqual([201, 400]);
    expect(responses.find((r) => r.status === 400)!.body).toEqual({ username: ["A user with that username already exists."] });
    const rows = await dbRow("select count(*) as n from users where lower(username) = lower(?)", username);
    expect(rows).toEqual({ n: 1 });
  });

  it("lets one of 20 racing registrations of one username win, whatever the letter case", async () => {
    const username = uniqueName("storm");
    const attempts = Array.from({ length: 20 }, (_, n) =>
      register({ username: n % 2 ? username.toUpperCase() : username, email: `${username}${n}@example.com`, password: PASSWORD, password2: PASSWORD }),
    );
    const responses = await Promise.all(attempts);
    expect(responses.filter((r) => r.status === 201)).toHaveLength(1);
    for (const loser of responses.filter((r) => r.status !== 201)) {
      expect(loser.status).toBe(400);
      expect(loser.body).toEqual({ username: ["A user with that username already exists."] });
    }
    const rows = await dbRow("select count(*) as n from users where lower(username) = lower(?)", username);
    expect(rows).toEqual({ n: 1 });
  });
});
