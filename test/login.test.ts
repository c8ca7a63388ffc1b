import { describe, expect, it } from "vitest";
import { PASSWORD, call, decodeJwt, eventually, insertUserRow, lastLoginLanded, login, registerUser, setFlags, signedInUser, uniqueName } from "./helpers";
import { dbRow, dbRun } from "./db";
import { mailbox } from "./mail";

const NO_ACCOUNT = { detail: "No active account found with the given credentials" };
const post = (body: Record<string, unknown>) => call("POST", "/api/auth/login/", { body });

// A Django pbkdf2_sha256 hash computed with Python's hashlib.pbkdf2_hmac. Its 100,001 iterations
// take the pure-JS path (above Web Crypto's limit) while keeping the test fast.
const DJANGO_HASH = "pbkdf2_sha256$100001$s4lt$rlITTYZcRjo7Qsf7FYNA0+YK1hbqC71XVBfGNejPxus=";
const DJANGO_PASSWORD = "short-iter";

describe("POST /api/auth/login/", () => {
  it("answers a refresh and an access token with simplejwt's claims and a kid", async () => {
    const { username } = await registerUser();
    const response = await post({ username, password: PASSWORD });
    expect(response.status).toBe(200);
    expect(Object.keys(response.body).sort()).toEqual(["access", "refresh"]);
    const access = decodeJwt(response.body.access);
    const refresh = decodeJwt(response.body.refresh);
    // The access token says what it is in its header (RFC 9068); the refresh token is a plain JWT under the same secret.
    expect(access.header).toEqual({ alg: "HS256", typ: "at+jwt", kid: expect.stringMatching(/^[A-Za-z0-9_-]{11}$/) });
    expect(refresh.header).toEqual({ alg: "HS256", typ: "JWT", kid: access.header.kid });
    expect(access.payload).toEqual({ token_type: "access", exp: access.payload.iat + 300, iat: expect.any(Number), jti: expect.any(String), user_id: expect.any(Number), sid: expect.stringMatching(/^[0-9a-f]{32}$/), iss: "http://api.test" });
    // Both tokens name the login session: `sid` in the access token, `fam` in the refresh token.
    expect(refresh.payload).toEqual({ token_type: "refresh", exp: refresh.payload.iat + 86400, iat: expect.any(Number), jti: expect.any(String), user_id: access.payload.user_id, fam: access.payload.sid, iss: "http://api.test" });
    expect(Math.abs(access.payload.iat - Date.now() / 1000)).toBeLessThan(5);
    expect(access.payload.jti).not.toBe(refresh.payload.jti);
  });

  it("sets last_login", async () => {
    const { username } = await registerUser();
    const before = Date.now();
    await login(username);
    // Written after the response (waitUntil).
    const lastLogin = await eventually(
      async () => (await dbRow<{ last_login: number | null }>("select last_login from users where username = ?", username))!.last_login,
      (value) => value !== null,
    );
    expect(lastLogin).toBeGreaterThanOrEqual(before - 1000);
    expect(lastLogin).toBeLessThanOrEqual(Date.now() + 1000);
  });

  it("accepts the username in any letter case", async () => {
    const { username } = await registerUser();
    expect((await post({ username: username.toUpperCase(), password: PASSWORD })).status).toBe(200);
  });

  it("refuses a wrong password, an unknown user and an inactive user with one body", async () => {
    const { username } = await registerUser();
    const wrong = await post({ username, password: `${PASSWORD}x` });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toEqual(NO_ACCOUNT);
    expect(wrong.headers.get("WWW-Authenticate")).toBe('Bearer realm="api"');

    const unknown = await post({ username: uniqueName("ghost"), password: PASSWORD });
    expect(unknown.status).toBe(401);
    expect(unknown.body).toEqual(NO_ACCOUNT);

    const inactive = await registerUser();
    const id = (await dbRow<{ id: number }>("select id from users where username = ?", inactive.username))!.id;
    await setFlags(id, { isActive: false });
    const refused = await post({ username: inactive.username, password: PASSWORD });
    expect(refused.status).toBe(401);
    expect(refused.body).toEqual(NO_ACCOUNT);
  });

  it("reports missing and blank fields as field errors", async () => {
    expect((await post({})).body).toEqual({ username: ["This field is required."], password: ["This field is required."] });
    const blank = await post({ username: "", password: " " });
    expect(blank.status).toBe(400);
    expect(blank.body).toEqual({ username: ["This field may not be blank."], password: ["This field may not be blank."] });
  });

  it("logs in a user with a Django pbkdf2_sha256 hash and upgrades it to argon2id", async () => {
    const username = uniqueName("django");
    await insertUserRow({ username, password: DJANGO_HASH });
    expect((await post({ username, password: "wrong-password" })).status).toBe(401);
    const row0 = await dbRow<{ password: string }>("select password from users where username = ?", username);
    expect(row0!.password).toBe(DJANGO_HASH);

    expect((await post({ username, password: DJANGO_PASSWORD })).status).toBe(200);
    const hash = await eventually(
      async () => (await dbRow<{ password: string }>("select password from users where username = ?", username))!.password,
      (value) => value !== DJANGO_HASH,
    );
    expect(hash).toMatch(/^argon2\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect((await post({ username, password: DJANGO_PASSWORD })).status).toBe(200);
  });

  it("takes the same time for an unknown user, an inactive user, an unusable or unsupported hash and a wrong password (one hash each)", async () => {
    const { username } = await registerUser();
    const unusable = uniqueName("unusable");
    await insertUserRow({ username: unusable, password: "!kQ2bHXmD6KsVdY8nyb1rnQUdPgGNe2exwSsQ6Vdu" });
    const bcrypt = uniqueName("bcrypt");
    await insertUserRow({ username: bcrypt, password: "bcrypt_sha256$$2b$12$Iku3PnOMbmJrT5iz1ecSQOAPnbHr2yaeuQGn9.bTcIj7ExjeTqjBa" });
    const inactive = await registerUser();
    const inactiveId = (await dbRow<{ id: number }>("select id from users where username = ?", inactive.username))!.id;
    await setFlags(inactiveId, { isActive: false });
    const time = async (body: Record<string, unknown>) => {
      const start = performance.now();
      const response = await post(body);
      expect(response.status).toBe(401);
      return performance.now() - start;
    };
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
    const samples = { wrong: [] as number[], unknown: [] as number[], inactive: [] as number[], unusable: [] as number[], bcrypt: [] as number[] };
    for (let i = 0; i < 7; i++) {
      samples.wrong.push(await time({ username, password: "not-the-password" }));
      samples.unknown.push(await time({ username: uniqueName("nobody"), password: "not-the-password" }));
      samples.inactive.push(await time({ username: inactive.username, password: PASSWORD }));
      samples.unusable.push(await time({ username: unusable, password: PASSWORD }));
      samples.bcrypt.push(await time({ username: bcrypt, password: PASSWORD }));
    }
    const wrong = median(samples.wrong);
    const [unknown, inactiveTime, unusableTime, bcryptTime] = [samples.unknown, samples.inactive, samples.unusable, samples.bcrypt].map(median);
    // Without the dummy hash an unknown user would answer in a few milliseconds, against ~30 ms
    // for a hash: a ratio near 0.1. The bounds leave room for a noisy machine.
    for (const other of [unknown, inactiveTime, unusableTime, bcryptTime]) {
      expect(other).toBeGreaterThan(wrong * 0.5);
      expect(other).toBeLessThan(wrong * 2);
    }
  });
});

describe("a login's hash upgrade racing a password change or reset", () => {
  // PASSWORD as Django's pbkdf2_sha256 (Python's hashlib.pbkdf2_hmac, 100,001 iterations): its
  // check runs in pure JS and yields while it works, for seconds here, so a change or reset that
  // starts meanwhile lands between the login's read of the hash and its upgrade (after the response).
  const IMPORTED = "pbkdf2_sha256$100001$r4c3s4lt$qn01KvBkwbJUoDyxHg1mIIRhGEl4PGMjip0fbZF2d8k=";
  const CHANGED = "a-changed-passphrase-7";
  const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  const lastLoginOf = async (id: number) => (await dbRow<{ last_login: number | null }>("select last_login from users where id = ?", id))!.last_login;

  /** A user whose row holds PASSWORD as an import from Django left it, signed in from before the import. */
  async function importedUser() {
    const user = await signedInUser();
    await lastLoginLanded(user.id);
    await dbRun("update users set password = ? where id = ?", IMPORTED, user.id);
    return { ...user, lastLogin: (await lastLoginOf(user.id))! };
  }

  /** The racing login's bookkeeping (last_login, the upgrade) has run: it writes after its response. */
  const loginSettled = async (user: { id: number; lastLogin: number }) =>
    expect(await eventually(() => lastLoginOf(user.id), (at) => at! > user.lastLogin, 10_000)).toBeGreaterThan(user.lastLogin);

  /** Only `password` logs the user in now. */
  async function onlyPasswordIs(username: string, password: string) {
    expect((await post({ username, password })).status).toBe(200);
    expect(await post({ username, password: password === PASSWORD ? CHANGED : PASSWORD })).toMatchObject({ status: 401, body: NO_ACCOUNT });
  }

  it("keeps the new password when a password change lands while the login checks the imported hash", async () => {
    const user = await importedUser();
    const change = call("POST", "/api/auth/password/change/", { token: user.access, body: { old_password: PASSWORD, new_password: CHANGED, new_password2: CHANGED } });
    // The change has read the hash and is checking it; the login starts well after, so the change writes first.
    await eventually(() => dbRow<{ n: number }>("select count(*) as n from throttle_events where key = ?", `password-check:${user.id}`), (row) => row!.n === 1);
    await pause(500);
    const racing = post({ username: user.username, password: PASSWORD });
    // Both checked the imported hash: the change replaced the hash it checked (a 400 would mean the
    // login's upgrade landed first), and the login read it before the change.
    expect(await change).toMatchObject({ status: 200, body: { detail: "New password has been saved." } });
    expect((await racing).status).toBe(200);
    await loginSettled(user);
    await onlyPasswordIs(user.username, CHANGED);
  });

  it("keeps the new password when a password reset lands while the login checks the imported hash", async () => {
    const user = await importedUser();
    const box = mailbox();
    expect((await box.call("POST", "/api/auth/password/reset/", { body: { email: user.email } })).status).toBe(200);
    const [, uid, token] = /\/account\/reset\/([A-Za-z0-9_-]+)\/([0-9a-z]+-[0-9a-f]{32})\//.exec(box.sent[0]!.text)!;
    const sessions = async () => (await dbRow<{ n: number }>("select count(*) as n from token_families where user_id = ?", user.id))!.n;
    const before = await sessions();
    const racing = post({ username: user.username, password: PASSWORD });
    // The login has read the hash (its session is begun with that read) and is checking it.
    await eventually(sessions, (n) => n > before);
    // The reset link binds the hash and last_login: it still works, so the login's upgrade has not landed.
    const reset = await call("POST", "/api/auth/password/reset/confirm/", { body: { uid, token, new_password1: CHANGED, new_password2: CHANGED } });
    expect(reset).toMatchObject({ status: 200, body: { detail: "Password has been reset with the new password." } });
    expect((await racing).status).toBe(200);
    await loginSettled(user);
    await onlyPasswordIs(user.username, CHANGED);
  });
});
