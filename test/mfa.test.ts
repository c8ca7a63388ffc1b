/**
 * Two-factor (TOTP, RFC 6238): setup with the password, confirmation, the `mfa_required` step of a
 * password login and its `2fa/verify/`, recovery codes, disable, and the attacks: a reused code,
 * a replayed or expired mfa_token, a wrong code (which does not spend the token), a brute force
 * (throttled, then even the right code refused), racing verifications.
 */
import { env } from "cloudflare:workers";
import { renderSVG } from "uqr";
import { describe, expect, it } from "vitest";
import { mfaTokenHash } from "../src/auth/mfa/challenge-token";
import { recoveryCodeHash } from "../src/auth/mfa/recovery-codes";
import { prepareSession } from "../src/auth/sign-in";
import { configFrom } from "../src/config";
import { storeOf } from "../src/lib/storage";
import { PASSWORD, call, decodeJwt, lastLoginLanded, newProfile, signedInUser } from "./helpers";
import { ENGINE, dbRow, dbRows, dbRun } from "./db";
import { storageCalls } from "./server-timing";
import { codeAt, currentStep, mfaToken, userWithMfa, verify } from "./totp";

const WRONG_PASSWORD = { current_password: ["The password is incorrect."] };
const INVALID_CODE = { code: ["Invalid code."] };
const INVALID_TOKEN = { mfa_token: ["Invalid value"] };
const THROTTLED = { detail: expect.stringMatching(/^Request was throttled\. Expected available in \d+ seconds\.$/) };
const TOKEN_PAIR = { refresh: expect.any(String), access: expect.any(String) };

const setup = (token: string, current_password = PASSWORD) => call("POST", "/api/auth/2fa/totp/setup/", { token, body: { current_password } });
const confirm = (token: string, code: string) => call("POST", "/api/auth/2fa/totp/confirm/", { token, body: { code } });
const disable = (token: string, code: string, current_password = PASSWORD) =>
  call("POST", "/api/auth/2fa/totp/disable/", { token, body: { current_password, code } });
const sessions = async (id: number) => (await dbRow<{ n: number }>("select count(*) as n from token_families where user_id = ?", id))!.n;
const factor = (id: number) => dbRow<{ secret: string | null; pending_secret: string | null; last_step: number }>("select secret, pending_secret, last_step from totp_factors where user_id = ?", id);
const codesLeft = async (id: number) => (await dbRow<{ n: number }>("select count(*) as n from mfa_recovery_codes where user_id = ?", id))!.n;

describe("setting up two-factor", () => {
  it("refuses a wrong password and keeps nothing", async () => {
    const user = await signedInUser();
    expect(await setup(user.access, "not-the-password")).toMatchObject({ status: 400, body: WRONG_PASSWORD });
    expect(await factor(user.id)).toBeNull();
  });

  it("answers a secret, its otpauth URL and a QR code; two-factor stays off until a code confirms it", async () => {
    const user = await signedInUser();
    const response = await setup(user.access);
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      secret: expect.stringMatching(/^[A-Z2-7]{32}$/),
      otpauth_url: `otpauth://totp/api.test:${user.username}?issuer=api.test&algorithm=SHA1&secret=${response.body.secret}&period=30&digits=6`,
      qr_svg: expect.stringMatching(/^<svg [^>]*viewBox="0 0 \d+ \d+"[\s\S]*<\/svg>$/),
    });
    // The QR code holds exactly the otpauth URL (drawn by the Worker with uqr, no third party).
    expect(response.body.qr_svg).toBe(renderSVG(response.body.otpauth_url, { ecc: "M", border: 2 }));
    // Sealed at rest: neither the base32 secret nor anything like it is stored, and nothing is in use yet.
    const stored = await factor(user.id);
    expect(stored).toEqual({ secret: null, pending_secret: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/), last_step: 0 });
    expect(stored!.pending_secret).not.toContain(response.body.secret);
    expect((await call("GET", "/api/auth/profile/", { token: user.access })).body).toEqual({ ...newProfile(user), mfa_enabled: false });
    expect((await call("POST", "/api/auth/login/", { body: { username: user.username, password: PASSWORD } })).body).toEqual(TOKEN_PAIR);

    expect(await confirm(user.access, "000000" === codeAt(response.body.secret, currentStep()) ? "111111" : "000000")).toMatchObject({ status: 400, body: INVALID_CODE });
    expect(await codesLeft(user.id)).toBe(0);
    const confirmed = await confirm(user.access, codeAt(response.body.secret, currentStep()));
    expect(confirmed.status).toBe(200);
    expect(confirmed.body).toEqual({ recovery_codes: expect.any(Array) });
    expect(confirmed.body.recovery_codes).toHaveLength(10);
    for (const code of confirmed.body.recovery_codes) expect(code).toMatch(/^[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}$/);
    expect(new Set(confirmed.body.recovery_codes).size).toBe(10);
    // Kept hashed: no stored value is a code.
    const hashes = await dbRows<{ code_hash: string }>("select code_hash from mfa_recovery_codes where user_id = ?", user.id);
    expect(hashes).toHaveLength(10);
    for (const { code_hash } of hashes) expect(confirmed.body.recovery_codes).not.toContain(code_hash);
    expect((await call("GET", "/api/auth/profile/", { token: user.access })).body).toEqual({ ...newProfile(user), mfa_enabled: true });
    expect(await factor(user.id)).toEqual({ secret: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/), pending_secret: null, last_step: expect.any(Number) });
  });

  it("refuses a confirmation with no setup waiting", async () => {
    const user = await signedInUser();
    expect(await confirm(user.access, "123456")).toMatchObject({ status: 400, body: { detail: "No two-factor setup is waiting for confirmation." } });
  });

  it("needs a signed-in caller", async () => {
    expect(await call("POST", "/api/auth/2fa/totp/setup/", { body: { current_password: PASSWORD } })).toMatchObject({
      status: 401,
      body: { detail: "Authentication credentials were not provided." },
    });
  });
});

describe("signing in with two-factor on", () => {
  it("answers mfa_required with no session, then tokens for the right code, with the login's bookkeeping", async () => {
    const user = await userWithMfa();
    const before = await sessions(user.id);
    const token = await mfaToken(user.username);
    expect(await sessions(user.id)).toBe(before);
    // The mfa_token is no bearer token.
    expect((await call("GET", "/api/auth/profile/", { token })).status).toBe(401);

    const response = await verify(token, codeAt(user.secret, user.step0), { "User-Agent": "second-step/1.0" });
    expect(response).toMatchObject({ status: 200, body: TOKEN_PAIR });
    expect(Object.keys(response.body).sort()).toEqual(["access", "refresh"]);
    expect(decodeJwt(response.body.access).payload.user_id).toBe(user.id);
    expect((await call("GET", "/api/auth/profile/", { token: response.body.access })).status).toBe(200);
    expect(await sessions(user.id)).toBe(before + 1);
    const listed = await call("GET", "/api/auth/sessions/", { token: response.body.access });
    expect(listed.body.results[0]).toMatchObject({ user_agent: "second-step/1.0", current: true });
    await lastLoginLanded(user.id);
  });

  it("refuses a replayed mfa_token", async () => {
    const user = await userWithMfa();
    const token = await mfaToken(user.username);
    expect((await verify(token, codeAt(user.secret, user.step0))).status).toBe(200);
    const count = await sessions(user.id);
    expect(await verify(token, codeAt(user.secret, user.step0 + 1))).toMatchObject({ status: 400, body: INVALID_TOKEN });
    expect(await sessions(user.id)).toBe(count);
  });

  it("refuses a TOTP code used once already, even with a new mfa_token, and takes the next one", async () => {
    const user = await userWithMfa();
    const used = codeAt(user.secret, user.step0);
    expect((await verify(await mfaToken(user.username), used)).status).toBe(200);
    const token = await mfaToken(user.username);
    const count = await sessions(user.id);
    expect(await verify(token, used)).toMatchObject({ status: 400, body: INVALID_CODE });
    // The confirmation's code too: each code works once.
    expect(await verify(token, codeAt(user.secret, user.step0 - 1))).toMatchObject({ status: 400, body: INVALID_CODE });
    expect(await sessions(user.id)).toBe(count);
    expect(await verify(token, codeAt(user.secret, user.step0 + 1))).toMatchObject({ status: 200, body: TOKEN_PAIR });
  });

  it("does not spend the mfa_token on a wrong code", async () => {
    const user = await userWithMfa();
    const token = await mfaToken(user.username);
    const right = codeAt(user.secret, user.step0);
    const wrong = right === "123456" ? "654321" : "123456";
    expect(await verify(token, wrong)).toMatchObject({ status: 400, body: INVALID_CODE });
    expect(await verify(token, "not-a-code")).toMatchObject({ status: 400, body: INVALID_CODE });
    expect(await verify(token, right)).toMatchObject({ status: 200, body: TOKEN_PAIR });
  });

  it("refuses an expired or unknown mfa_token", async () => {
    const user = await userWithMfa();
    const token = await mfaToken(user.username);
    await dbRun("update mfa_challenges set expires_at = ? where user_id = ?", new Date(Date.now() - 1000), user.id);
    const count = await sessions(user.id);
    expect(await verify(token, codeAt(user.secret, user.step0))).toMatchObject({ status: 400, body: INVALID_TOKEN });
    expect(await verify("A".repeat(43), codeAt(user.secret, user.step0))).toMatchObject({ status: 400, body: INVALID_TOKEN });
    expect(await sessions(user.id)).toBe(count);
    // The code was not spent by the refused attempts.
    expect(await verify(await mfaToken(user.username), codeAt(user.secret, user.step0))).toMatchObject({ status: 200, body: TOKEN_PAIR });
  });

  it("throttles brute force: five wrong codes, then even the right code gets 429", async () => {
    const user = await userWithMfa();
    const token = await mfaToken(user.username);
    const right = codeAt(user.secret, user.step0);
    const guesses = ["000000", "111111", "222222", "333333", "444444", "555555"].filter((guess) => guess !== right).slice(0, 5);
    for (const guess of guesses) expect(await verify(token, guess)).toMatchObject({ status: 400, body: INVALID_CODE });
    const count = await sessions(user.id);
    const blocked = await verify(token, right);
    expect(blocked).toMatchObject({ status: 429, body: THROTTLED });
    const wait = Number(blocked.headers.get("Retry-After"));
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(900);
    expect(blocked.body.detail).toBe(`Request was throttled. Expected available in ${wait} seconds.`);
    expect(await verify(token, "999999")).toMatchObject({ status: 429, body: THROTTLED });
    expect(await sessions(user.id)).toBe(count);
    // Neither the token nor the code was spent.
    expect(await dbRow("select session_id from mfa_challenges where user_id = ?", user.id)).toEqual({ session_id: null });
    expect((await factor(user.id))!.last_step).toBe(user.step0 - 1);
  });

  it("lets one of racing verifications of one mfa_token through", async () => {
    const user = await userWithMfa();
    const token = await mfaToken(user.username);
    const count = await sessions(user.id);
    const responses = await Promise.all([user.step0, user.step0, user.step0 + 1, user.step0 + 1].map((step) => verify(token, codeAt(user.secret, step))));
    expect(responses.filter((response) => response.status === 200)).toHaveLength(1);
    for (const response of responses.filter((response) => response.status !== 200)) expect([INVALID_TOKEN, INVALID_CODE]).toContainEqual(response.body);
    expect(await sessions(user.id)).toBe(count + 1);
  });

  it("lets one of racing sign-ins with one code through", async () => {
    const user = await userWithMfa();
    const tokens = [await mfaToken(user.username), await mfaToken(user.username), await mfaToken(user.username)];
    const count = await sessions(user.id);
    const code = codeAt(user.secret, user.step0);
    const responses = await Promise.all(tokens.map((token) => verify(token, code)));
    expect(responses.map((response) => response.status).sort()).toEqual([200, 400, 400]);
    expect(await sessions(user.id)).toBe(count + 1);
  });

  it("lets the write decide between sign-ins that all checked one code before any wrote (the interleaving a race gives)", async () => {
    const user = await userWithMfa();
    const store = storeOf(env);
    const rules = [{ key: `mfa:${user.id}`, limit: 5, periodMs: 900_000 }];
    const session = () => prepareSession(configFrom(env), null).session;
    // Two sign-ins read the factor (the same last step) before either answers with the same step.
    const hashes = [mfaTokenHash(await mfaToken(user.username)), mfaTokenHash(await mfaToken(user.username))];
    const [first, second] = [await store.mfa.challenge(hashes[0]!, Date.now()), await store.mfa.challenge(hashes[1]!, Date.now())];
    expect(second).toEqual(first && { ...first });
    const proof = { step: user.step0, secret: first!.secret! };
    expect(await store.mfa.answer({ tokenHash: hashes[0]!, userId: user.id }, proof, session(), rules, Date.now())).toEqual({ outcome: "signed_in" });
    expect(await store.mfa.answer({ tokenHash: hashes[1]!, userId: user.id }, proof, session(), rules, Date.now())).toEqual({ outcome: "refused" });
    // One mfa_token answered twice with two right codes, both checked first: spent once.
    const again = mfaTokenHash(await mfaToken(user.username));
    const later = { step: user.step0 + 1, secret: first!.secret! };
    expect(await store.mfa.answer({ tokenHash: again, userId: user.id }, later, session(), rules, Date.now())).toEqual({ outcome: "signed_in" });
    expect(await store.mfa.answer({ tokenHash: again, userId: user.id }, { step: user.step0 + 2, secret: first!.secret! }, session(), rules, Date.now())).toEqual({ outcome: "spent" });
    // One recovery code given to two sign-ins: used once.
    const recovery = { recoveryHash: recoveryCodeHash(user.recoveryCodes[0]!) };
    const [a, b] = [mfaTokenHash(await mfaToken(user.username)), mfaTokenHash(await mfaToken(user.username))];
    expect(await store.mfa.answer({ tokenHash: a, userId: user.id }, recovery, session(), rules, Date.now())).toEqual({ outcome: "signed_in" });
    expect(await store.mfa.answer({ tokenHash: b, userId: user.id }, recovery, session(), rules, Date.now())).toEqual({ outcome: "refused" });
    expect(await codesLeft(user.id)).toBe(9);
  });

  it("opens a secret sealed before a JWT_SECRET rotation while the old one is listed, and seals it anew under the new one", async () => {
    const user = await userWithMfa();
    const before = (await factor(user.id))!.secret!;
    const fresh = "a-new-signing-secret-0123456789abcdefgh";
    const token = await mfaToken(user.username);
    // The old secret no longer listed: the sealed secret cannot be opened, a right code is refused (and counted).
    expect(await verify(token, codeAt(user.secret, user.step0), {}, { JWT_SECRET: fresh, JWT_SECRETS_PREVIOUS: "" })).toMatchObject({ status: 400, body: INVALID_CODE });
    // Listed in JWT_SECRETS_PREVIOUS: it opens, and is written back under the new secret.
    expect(await verify(token, codeAt(user.secret, user.step0), {}, { JWT_SECRET: fresh, JWT_SECRETS_PREVIOUS: env.JWT_SECRET! })).toMatchObject({ status: 200, body: TOKEN_PAIR });
    const after = (await factor(user.id))!.secret!;
    expect(after.split(".")[0]).not.toBe(before.split(".")[0]);
    expect(await verify(await mfaToken(user.username), codeAt(user.secret, user.step0 + 1), {}, { JWT_SECRET: fresh, JWT_SECRETS_PREVIOUS: "" })).toMatchObject({ status: 200, body: TOKEN_PAIR });
  });

  it("takes an unused recovery code once", async () => {
    const user = await userWithMfa();
    const [code] = user.recoveryCodes;
    expect(await verify(await mfaToken(user.username), code!.toUpperCase().replaceAll("-", " "))).toMatchObject({ status: 200, body: TOKEN_PAIR });
    expect(await codesLeft(user.id)).toBe(9);
    const token = await mfaToken(user.username);
    expect(await verify(token, code!)).toMatchObject({ status: 400, body: INVALID_CODE });
    expect(await verify(token, user.recoveryCodes[1]!)).toMatchObject({ status: 200, body: TOKEN_PAIR });
    expect(await codesLeft(user.id)).toBe(8);
  });

  it("still refuses an inactive user's second step", async () => {
    const user = await userWithMfa();
    const token = await mfaToken(user.username);
    await dbRun("update users set is_active = ? where id = ?", false, user.id);
    const count = await sessions(user.id);
    expect(await verify(token, codeAt(user.secret, user.step0))).toMatchObject({ status: 400, body: INVALID_TOKEN });
    expect(await sessions(user.id)).toBe(count);
  });

  it("answers a wrong password as before, with no challenge", async () => {
    const user = await userWithMfa();
    const response = await call("POST", "/api/auth/login/", { body: { username: user.username, password: "wrong-password-1" } });
    expect(response).toMatchObject({ status: 401, body: { detail: "No active account found with the given credentials" } });
    expect(await dbRow("select count(*) as n from mfa_challenges where user_id = ?", user.id)).toEqual({ n: 0 });
  });
});

describe("storage calls of a sign-in with two-factor", () => {
  it("costs the login one write more (the challenge), and the second step a read and one write", async () => {
    const user = await userWithMfa();
    const login = await call("POST", "/api/auth/login/", { body: { username: user.username, password: PASSWORD } });
    const second = await verify(login.body.mfa_token, codeAt(user.secret, user.step0));
    expect(second.status).toBe(200);
    // D1: the login's batch, then the challenge's; the challenge read, then the answer's batch.
    // PostgreSQL: the login's transaction (4), then one statement; a read, then a transaction that locks the user first (4).
    expect({ login: storageCalls(login.headers), verify: storageCalls(second.headers) }).toEqual(ENGINE === "d1" ? { login: 2, verify: 2 } : { login: 5, verify: 5 });
  });
});

describe("recovery codes and disable", () => {
  it("replaces the recovery codes with the password; the old ones stop working", async () => {
    const user = await userWithMfa();
    expect(await call("POST", "/api/auth/2fa/recovery-codes/", { token: user.access, body: { current_password: "nope-nope-1" } })).toMatchObject({ status: 400, body: WRONG_PASSWORD });
    const replaced = await call("POST", "/api/auth/2fa/recovery-codes/", { token: user.access, body: { current_password: PASSWORD } });
    expect(replaced.status).toBe(200);
    expect(replaced.body).toEqual({ recovery_codes: expect.any(Array) });
    expect(replaced.body.recovery_codes).toHaveLength(10);
    expect(await codesLeft(user.id)).toBe(10);
    const token = await mfaToken(user.username);
    expect(await verify(token, user.recoveryCodes[0]!)).toMatchObject({ status: 400, body: INVALID_CODE });
    expect(await verify(token, replaced.body.recovery_codes[0])).toMatchObject({ status: 200, body: TOKEN_PAIR });
  });

  it("refuses recovery codes and disable while two-factor is off", async () => {
    const user = await signedInUser();
    const off = { status: 400, body: { detail: "Two-factor authentication is not enabled." } };
    expect(await call("POST", "/api/auth/2fa/recovery-codes/", { token: user.access, body: { current_password: PASSWORD } })).toMatchObject(off);
    expect(await disable(user.access, "123456")).toMatchObject(off);
  });

  it("turns two-factor off with the password and a code; sign-ins answer tokens again", async () => {
    const user = await userWithMfa();
    const right = codeAt(user.secret, user.step0);
    expect(await disable(user.access, right, "wrong-password-2")).toMatchObject({ status: 400, body: WRONG_PASSWORD });
    expect(await disable(user.access, right === "123456" ? "654321" : "123456")).toMatchObject({ status: 400, body: INVALID_CODE });
    const pending = await mfaToken(user.username);
    expect((await call("GET", "/api/auth/profile/", { token: user.access })).body.mfa_enabled).toBe(true);
    expect(await disable(user.access, right)).toMatchObject({ status: 200, body: { detail: "Two-factor authentication has been disabled." } });
    expect((await call("GET", "/api/auth/profile/", { token: user.access })).body.mfa_enabled).toBe(false);
    expect(await factor(user.id)).toBeNull();
    expect(await codesLeft(user.id)).toBe(0);
    // A sign-in waiting for its code when two-factor went off cannot finish.
    expect(await verify(pending, codeAt(user.secret, user.step0 + 1))).toMatchObject({ status: 400, body: INVALID_TOKEN });
    expect((await call("POST", "/api/auth/login/", { body: { username: user.username, password: PASSWORD } })).body).toEqual(TOKEN_PAIR);
  });

  it("turns two-factor off with a recovery code", async () => {
    const user = await userWithMfa();
    expect(await disable(user.access, user.recoveryCodes[3]!)).toMatchObject({ status: 200, body: { detail: "Two-factor authentication has been disabled." } });
    expect((await call("GET", "/api/auth/profile/", { token: user.access })).body.mfa_enabled).toBe(false);
  });
});

describe("a superuser turning a user's two-factor off", () => {
  async function admin(superuser: boolean) {
    const user = await signedInUser();
    await dbRun("update users set is_staff = ?, is_superuser = ? where id = ?", true, superuser, user.id);
    return user;
  }
  const patch = (token: string, id: number, body: Record<string, unknown>) => call("PATCH", `/api/users/${id}/`, { token, body });

  it("is for superusers only; staff get 403 and nothing changes", async () => {
    const staff = await admin(false);
    const boss = await admin(true);
    const user = await userWithMfa();
    expect(await patch(staff.access, user.id, { mfa_enabled: false })).toMatchObject({ status: 403, body: { detail: "You do not have permission to perform this action." } });
    expect(await factor(user.id)).not.toBeNull();
    expect(await codesLeft(user.id)).toBe(10);
    expect((await dbRow("select mfa_enabled from users where id = ?", user.id))).toEqual({ mfa_enabled: 1 });

    const waiting = await mfaToken(user.username);
    const response = await patch(boss.access, user.id, { mfa_enabled: false });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      ...newProfile(user),
      mfa_enabled: false,
      is_staff: false,
      is_superuser: false,
      is_active: true,
      last_login: expect.stringMatching(/Z$/),
      sign_in_methods: { local_login: true, two_factor: false, social_accounts: [], passkeys: 0 },
    });
    expect(await factor(user.id)).toBeNull();
    expect(await codesLeft(user.id)).toBe(0);
    expect(await verify(waiting, codeAt(user.secret, user.step0))).toMatchObject({ status: 400, body: INVALID_TOKEN });
    expect((await call("POST", "/api/auth/login/", { body: { username: user.username, password: PASSWORD } })).body).toEqual(TOKEN_PAIR);
  });

  it("cannot turn it on", async () => {
    const boss = await admin(true);
    const user = await signedInUser();
    expect(await patch(boss.access, user.id, { mfa_enabled: true })).toMatchObject({ status: 400, body: { mfa_enabled: ["Two-factor authentication can only be turned off here."] } });
    expect(await dbRow("select mfa_enabled from users where id = ?", user.id)).toEqual({ mfa_enabled: 0 });
  });
});

describe("account deletion and export", () => {
  it("exports whether two-factor is on and how many recovery codes remain, never a secret", async () => {
    const user = await userWithMfa();
    await verify(await mfaToken(user.username), user.recoveryCodes[0]!);
    const response = await call("GET", "/api/auth/profile/export/", { token: user.access });
    expect(response.status).toBe(200);
    expect(response.body.two_factor).toEqual({ enabled: true, recovery_codes_remaining: 9 });
    expect(response.body.profile.mfa_enabled).toBe(true);
    const text = JSON.stringify(response.body);
    const stored = await factor(user.id);
    expect(text).not.toContain(user.secret);
    expect(text).not.toContain(stored!.secret!);
    for (const code of user.recoveryCodes) expect(text).not.toContain(code);
    const off = await signedInUser();
    expect((await call("GET", "/api/auth/profile/export/", { token: off.access })).body.two_factor).toEqual({ enabled: false, recovery_codes_remaining: 0 });
  });

  it("deletes the secret, the recovery codes and waiting sign-ins with the account", async () => {
    const user = await userWithMfa();
    await mfaToken(user.username);
    expect(await call("DELETE", "/api/auth/profile/", { token: user.access, body: { password: PASSWORD } })).toMatchObject({ status: 204 });
    expect(await factor(user.id)).toBeNull();
    expect(await codesLeft(user.id)).toBe(0);
    expect(await dbRow("select count(*) as n from mfa_challenges where user_id = ?", user.id)).toEqual({ n: 0 });
  });
});
