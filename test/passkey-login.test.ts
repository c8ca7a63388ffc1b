/**
 * Passkey login (discoverable: no username), with a software authenticator (./authenticator.ts):
 * the request options and their challenges' lifetime, the sign-in and its bookkeeping, and the
 * attacks: a replayed or expired challenge, another ceremony's challenge, a counter that does not
 * grow, a wrong origin or RP id, no user verification, a bad signature, another user's handle,
 * an inactive user, racing logins with one assertion or one counter. Each refusal is the
 * contract's exact body and changes nothing (no session, no counter moved).
 */
import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { prepareSession } from "../src/auth/sign-in";
import { configFrom } from "../src/config";
import worker from "../src/index";
import { storeOf } from "../src/lib/storage";
import { SoftAuthenticator } from "./authenticator";
import { dbRow, dbRun } from "./db";
import { call, decodeJwt, lastLoginLanded, setFlags, signedInUser } from "./helpers";
import {
  INVALID,
  ISO,
  TOKEN_PAIR,
  assertion,
  challenges,
  idOf,
  loginOptions,
  loginWith,
  passkeyRows,
  registrationOptions,
  sessions,
  snapshot,
  userWithPasskey,
} from "./passkeys-flow";

const DISABLED = { non_field_errors: ["User account is disabled."] };
const B64URL = expect.stringMatching(/^[A-Za-z0-9_-]{43}$/);

describe("login options", () => {
  it("answer request options with no allowCredentials, user verification required, a challenge kept 5 minutes for nobody", async () => {
    const response = await loginOptions();
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ rpId: "api.test", challenge: B64URL, timeout: 300000, userVerification: "required" });
    const kept = await dbRow("select purpose, user_id, user_handle from passkey_challenges where challenge = ?", response.body.challenge);
    expect(kept).toEqual({ purpose: "login", user_id: null, user_handle: null });
  });

  it("delete two expired challenges each, so that anonymous calls cannot grow the table past the live ones", async () => {
    const expired = async () => (await dbRow<{ n: number }>("select count(*) as n from passkey_challenges where expires_at < ?", new Date()))!.n;
    for (let i = 0; i < 3; i++) await dbRun("insert into passkey_challenges (challenge, purpose, expires_at) values (?, 'login', ?)", `expired-${i}`, new Date(Date.now() - 1000 - i));
    const before = await expired();
    expect(before).toBeGreaterThanOrEqual(3);
    const live = (await loginOptions()).body.challenge;
    expect(await expired()).toBe(before - 2);
    expect(await challenges(live)).toBe(1);
    await loginOptions();
    expect(await expired()).toBe(Math.max(0, before - 4));
  });

  it("expire: the scheduled cleanup deletes the expired ones and keeps the live", async () => {
    for (let i = 0; i < 3; i++) await dbRun("insert into passkey_challenges (challenge, purpose, expires_at) values (?, 'login', ?)", `cron-${i}`, new Date(Date.now() - 1000));
    const live = (await loginOptions()).body.challenge;
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ cron: "17 * * * *" }), env, ctx);
    await waitOnExecutionContext(ctx);
    expect(await dbRow<{ n: number }>("select count(*) as n from passkey_challenges where expires_at < ?", new Date())).toEqual({ n: 0 });
    expect(await challenges(live)).toBe(1);
  });

  it("follow WEBAUTHN_RP_ID, and PUBLIC_URL's host name by default", async () => {
    const custom = await call("POST", "/api/auth/passkeys/login/options/", { env: { WEBAUTHN_RP_ID: "Example.COM" } });
    expect(custom.body.rpId).toBe("example.com");
    const fromUrl = await call("POST", "/api/auth/passkeys/login/options/", { env: { PUBLIC_URL: "https://social.example:8443/api" } });
    expect(fromUrl.body.rpId).toBe("social.example");
  });
});

describe("signing in with a passkey", () => {
  it("answers tokens for a discoverable assertion, with the login's bookkeeping, the counter moved and last_used set", async () => {
    const user = await userWithPasskey();
    const before = await sessions(user.id);
    const options = await loginOptions();
    const response = await loginWith(await user.authenticator.get(options.body), { "User-Agent": "passkey-phone/1.0" });
    expect(response).toMatchObject({ status: 200, body: TOKEN_PAIR });
    expect(Object.keys(response.body).sort()).toEqual(["access", "refresh"]);
    expect(decodeJwt(response.body.access).payload.user_id).toBe(user.id);
    expect(await sessions(user.id)).toBe(before + 1);
    expect(await challenges(options.body.challenge)).toBe(0);
    const listed = await call("GET", "/api/auth/sessions/", { token: response.body.access });
    expect(listed.body.results[0]).toMatchObject({ user_agent: "passkey-phone/1.0", current: true });
    expect(await passkeyRows(user.id)).toEqual([{ id: user.passkey.id, counter: 2, last_used_at: expect.any(Number) }]);
    expect((await call("GET", "/api/auth/passkeys/", { token: response.body.access })).body.results).toEqual([{ ...user.passkey, last_used: ISO }]);
    await lastLoginLanded(user.id);
  });

  it("takes the origins of WEBAUTHN_ORIGINS instead of PUBLIC_URL's", async () => {
    const user = await userWithPasskey({ counter: false });
    const origins = { WEBAUTHN_ORIGINS: " https://app.example/ , android:apk-key-hash:c2lnbmF0dXJl" };
    const fromApp = await assertion(user.authenticator, { origin: "https://app.example" });
    expect(await call("POST", "/api/auth/passkeys/login/", { body: { credential: fromApp }, env: origins })).toMatchObject({ status: 200, body: TOKEN_PAIR });
    const fromAndroid = await assertion(user.authenticator, { origin: "android:apk-key-hash:c2lnbmF0dXJl" });
    expect(await call("POST", "/api/auth/passkeys/login/", { body: { credential: fromAndroid }, env: origins })).toMatchObject({ status: 200, body: TOKEN_PAIR });
    // PUBLIC_URL's origin is no longer one of them.
    const fromDefault = await assertion(user.authenticator);
    expect(await call("POST", "/api/auth/passkeys/login/", { body: { credential: fromDefault }, env: origins })).toMatchObject({ status: 400, body: INVALID });
  });

  it("needs no second step with two-factor on", async () => {
    const user = await userWithPasskey();
    await dbRun("update users set mfa_enabled = ? where id = ?", true, user.id);
    expect(await loginWith(await assertion(user.authenticator))).toMatchObject({ status: 200, body: TOKEN_PAIR });
  });

  it("refuses a replayed assertion: the challenge was spent (an authenticator with no counter)", async () => {
    const user = await userWithPasskey({ counter: false });
    const credential = await assertion(user.authenticator);
    expect((await loginWith(credential)).status).toBe(200);
    const before = await snapshot(user.id);
    expect(await loginWith(credential)).toMatchObject({ status: 400, body: INVALID });
    expect(await snapshot(user.id)).toEqual(before);
    // Without a counter the next login still works, with a new challenge.
    expect((await loginWith(await assertion(user.authenticator))).status).toBe(200);
  });

  it("refuses an expired challenge, an unknown one and a registration's", async () => {
    const user = await userWithPasskey({ counter: false });
    const before = await snapshot(user.id);
    const options = await loginOptions();
    await dbRun("update passkey_challenges set expires_at = ? where challenge = ?", new Date(Date.now() - 1000), options.body.challenge);
    expect(await loginWith(await user.authenticator.get(options.body))).toMatchObject({ status: 400, body: INVALID });
    expect(await loginWith(await user.authenticator.get({ rpId: "api.test", challenge: "B".repeat(43) }))).toMatchObject({ status: 400, body: INVALID });
    const registration = await registrationOptions(user.access);
    expect(await loginWith(await user.authenticator.get({ rpId: "api.test", challenge: registration.body.challenge }))).toMatchObject({ status: 400, body: INVALID });
    // A registration's challenge is not spent by a login that presents it.
    expect(await challenges(registration.body.challenge)).toBe(1);
    expect(await snapshot(user.id)).toEqual(before);
  });

  it("refuses a counter that does not grow (a cloned authenticator), spending the challenge", async () => {
    const user = await userWithPasskey();
    expect((await loginWith(await assertion(user.authenticator))).status).toBe(200);
    const before = await snapshot(user.id);
    expect(before.passkeys[0]!.counter).toBe(2);
    for (const counter of [2, 1, 0]) {
      const options = await loginOptions();
      expect(await loginWith(await user.authenticator.get(options.body, { counter })), String(counter)).toMatchObject({ status: 400, body: INVALID });
    }
    expect(await snapshot(user.id)).toEqual(before);
    expect((await loginWith(await assertion(user.authenticator, { counter: 3 }))).status).toBe(200);
    expect((await passkeyRows(user.id))[0]!.counter).toBe(3);
  });

  it("refuses another origin, another RP id, no user verification, a bad signature and another user's handle", async () => {
    const user = await userWithPasskey({ counter: false });
    const other = await userWithPasskey();
    const before = await snapshot(user.id);
    const variations = [
      { origin: "https://evil.example" },
      { rpId: "evil.example" },
      { type: "webauthn.create" },
      { userVerified: false },
      { userHandle: other.authenticator.credentials[0]!.userHandle },
      { userHandle: null },
    ];
    for (const variation of variations) {
      expect(await loginWith(await assertion(user.authenticator, variation)), JSON.stringify(variation)).toMatchObject({ status: 400, body: INVALID });
    }
    const signed = await assertion(user.authenticator);
    const forged = { ...signed, response: { ...signed.response, signature: signed.response.signature.replace(/^./, (c) => (c === "M" ? "N" : "M")) } };
    expect(await loginWith(forged)).toMatchObject({ status: 400, body: INVALID });
    // Another user's credential id with this one's signature.
    expect(await loginWith({ ...signed, id: idOf(other.authenticator), rawId: idOf(other.authenticator) })).toMatchObject({ status: 400, body: INVALID });
    expect(await snapshot(user.id)).toEqual(before);
  });

  it("refuses an unknown credential and what is no credential", async () => {
    const stranger = new SoftAuthenticator();
    const options = await registrationOptions((await signedInUser()).access);
    await stranger.create(options.body);
    expect(await loginWith(await assertion(stranger))).toMatchObject({ status: 400, body: INVALID });
    for (const credential of ["x", 1, {}, { id: "a", rawId: "a", type: "public-key", response: {} }]) {
      expect(await loginWith(credential), JSON.stringify(credential)).toMatchObject({ status: 400, body: INVALID });
    }
    expect(await call("POST", "/api/auth/passkeys/login/", { body: {} })).toMatchObject({ status: 400, body: { credential: ["This field is required."] } });
  });

  it("refuses an inactive user, starting no session", async () => {
    const user = await userWithPasskey();
    await setFlags(user.id, { isActive: false });
    const before = await snapshot(user.id);
    expect(await loginWith(await assertion(user.authenticator))).toMatchObject({ status: 400, body: DISABLED });
    expect(await snapshot(user.id)).toEqual(before);
  });

  it("signs in exactly once for one assertion sent concurrently", async () => {
    const user = await userWithPasskey({ counter: false });
    const before = await sessions(user.id);
    const credential = await assertion(user.authenticator);
    const answers = await Promise.all(Array.from({ length: 6 }, () => loginWith(credential)));
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 400, 400, 400, 400, 400]);
    for (const answer of answers.filter((a) => a.status === 400)) expect(answer.body).toEqual(INVALID);
    expect(await sessions(user.id)).toBe(before + 1);
  });

  it("signs in once of two logins racing with the same counter (a cloned authenticator)", async () => {
    const user = await userWithPasskey();
    const before = await sessions(user.id);
    const [first, second] = [await assertion(user.authenticator, { counter: 5 }), await assertion(user.authenticator, { counter: 5 })];
    const answers = await Promise.all([loginWith(first), loginWith(second)]);
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 400]);
    expect(await sessions(user.id)).toBe(before + 1);
    expect((await passkeyRows(user.id))[0]!.counter).toBe(5);
  });
});

describe("the login's write", () => {
  /** A login read (the stored passkey) and a fresh login challenge, for the store's write to be called as the service calls it. */
  async function readLogin() {
    const user = await userWithPasskey();
    const store = storeOf(env);
    const stored = (await store.passkeys.credential(idOf(user.authenticator)))!;
    const challenge = (await loginOptions()).body.challenge as string;
    const session = prepareSession(configFrom(env), null).session;
    return { user, store, stored, challenge, session };
  }

  it("starts no session when the counter moved after it was read (a racing login came first), and spends the challenge", async () => {
    const { user, store, stored, challenge, session } = await readLogin();
    // The racing login: it moved the counter from the value this one read.
    expect((await loginWith(await assertion(user.authenticator))).status).toBe(200);
    const before = await snapshot(user.id);
    const outcome = await store.passkeys.login({ challenge, passkeyId: stored.id, userId: user.id, counter: { from: stored.counter, to: stored.counter + 5 }, session }, Date.now());
    expect(outcome).toBe("counter");
    expect(await snapshot(user.id)).toEqual(before);
    expect(await challenges(challenge)).toBe(0);
  });

  it("starts no session for a user deactivated after the read", async () => {
    const { user, store, stored, challenge, session } = await readLogin();
    await setFlags(user.id, { isActive: false });
    const before = await snapshot(user.id);
    const outcome = await store.passkeys.login({ challenge, passkeyId: stored.id, userId: user.id, counter: { from: stored.counter, to: stored.counter + 1 }, session }, Date.now());
    expect(outcome).toBe("inactive");
    expect(await snapshot(user.id)).toEqual(before);
  });

  it("starts the session, moves the counter and sets last_used when all holds", async () => {
    const { user, store, stored, challenge, session } = await readLogin();
    const outcome = await store.passkeys.login({ challenge, passkeyId: stored.id, userId: user.id, counter: { from: stored.counter, to: stored.counter + 1 }, session }, Date.now());
    expect(outcome).toBe("signed_in");
    expect(await passkeyRows(user.id)).toEqual([{ id: stored.id, counter: stored.counter + 1, last_used_at: expect.any(Number) }]);
    expect(await dbRow("select user_id from token_families where id = ?", session.id)).toEqual({ user_id: user.id });
  });
});
