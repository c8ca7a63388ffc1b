/**
 * Passkeys (WebAuthn), with a software authenticator (./authenticator.ts): the creation options,
 * registration, the list and deletion, the export, account deletion, the storage calls of every
 * passkey route; and the attacks on registration (a replayed, expired or another user's
 * challenge, a wrong origin or RP id, no user verification, an Ed25519 key, garbage). Each refusal
 * is the contract's exact body and keeps nothing. Logins: ./passkey-login.test.ts.
 */
import { describe, expect, it } from "vitest";
import { SoftAuthenticator } from "./authenticator";
import { ENGINE, dbRow, dbRun } from "./db";
import { call, setFlags, signedInUser } from "./helpers";
import { storageCalls } from "./server-timing";
import {
  INVALID,
  ISO,
  TOKEN_PAIR,
  addPasskey,
  assertion,
  challenges,
  idOf,
  loginOptions,
  loginWith,
  passkeyCount,
  passkeyRows,
  register,
  registrationOptions,
  userWithPasskey,
} from "./passkeys-flow";

const B64URL = expect.stringMatching(/^[A-Za-z0-9_-]{43}$/);

describe("registration options", () => {
  it("answer creation options: resident key required, user verification preferred, ES256 and RS256, a challenge kept 5 minutes", async () => {
    const user = await signedInUser();
    const before = Date.now();
    const response = await registrationOptions(user.access);
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      rp: { name: "api.test", id: "api.test" },
      user: { id: B64URL, name: user.username, displayName: user.username },
      challenge: B64URL,
      pubKeyCredParams: [
        { alg: -7, type: "public-key" },
        { alg: -257, type: "public-key" },
      ],
      timeout: 300000,
      excludeCredentials: [],
      authenticatorSelection: { residentKey: "required", userVerification: "preferred", requireResidentKey: true },
      attestation: "none",
      extensions: { credProps: true },
      hints: [],
    });
    const kept = await dbRow<{ purpose: string; user_id: number; user_handle: string; expires_at: number }>(
      "select purpose, user_id, user_handle, expires_at from passkey_challenges where challenge = ?",
      response.body.challenge,
    );
    expect(kept).toEqual({ purpose: "registration", user_id: user.id, user_handle: response.body.user.id, expires_at: expect.any(Number) });
    expect(kept!.expires_at - before).toBeGreaterThanOrEqual(300_000);
    expect(kept!.expires_at - Date.now()).toBeLessThanOrEqual(300_000);
  });

  it("exclude the caller's passkeys and keep their user handle", async () => {
    const user = await userWithPasskey();
    const response = await registrationOptions(user.access);
    expect(response.body.excludeCredentials).toEqual([{ id: idOf(user.authenticator), type: "public-key", transports: ["internal"] }]);
    expect(response.body.user.id).toBe(user.authenticator.credentials[0]!.userHandle);
    // Another user's options name none of them.
    const other = await signedInUser();
    const theirs = await registrationOptions(other.access);
    expect(theirs.body.excludeCredentials).toEqual([]);
    expect(theirs.body.user.id).not.toBe(response.body.user.id);
  });

  it("need a signed-in caller", async () => {
    expect(await call("POST", "/api/auth/passkeys/register/options/")).toMatchObject({ status: 401, body: { detail: "Authentication credentials were not provided." } });
  });
});

describe("registering a passkey", () => {
  it("keeps it and answers it; the list, the count and the admin's sign-in methods show it", async () => {
    const user = await signedInUser();
    const authenticator = new SoftAuthenticator();
    const options = await registrationOptions(user.access);
    const response = await register(user.access, await authenticator.create(options.body), "  Laptop  ");
    expect(response.status).toBe(201);
    expect(response.body).toEqual({ id: expect.any(Number), name: "Laptop", created: ISO, last_used: null });
    // The challenge is spent.
    expect(await challenges(options.body.challenge)).toBe(0);
    expect(await passkeyCount(user.id)).toBe(1);
    expect(await call("GET", "/api/auth/passkeys/", { token: user.access })).toMatchObject({ status: 200, body: { results: [response.body] } });
    const stored = await dbRow<{ public_key: string; counter: number; transports: string }>("select public_key, counter, transports from passkeys where id = ?", response.body.id);
    expect(stored).toEqual({ public_key: expect.stringMatching(/^[A-Za-z0-9_-]+$/), counter: 1, transports: '["internal"]' });

    const admin = await signedInUser();
    await setFlags(admin.id, { isStaff: true });
    const seen = await call("GET", `/api/users/${user.id}/`, { token: admin.access });
    expect(seen.body.sign_in_methods).toEqual({ local_login: true, two_factor: false, social_accounts: [], passkeys: 1 });
    await addPasskey(user.access, new SoftAuthenticator(), "Phone");
    expect((await call("GET", `/api/users/${user.id}/`, { token: admin.access })).body.sign_in_methods.passkeys).toBe(2);
  });

  it("takes an RS256 credential, and signs in with it", async () => {
    const user = await userWithPasskey({ algorithm: "RS256" });
    expect(await loginWith(await assertion(user.authenticator))).toMatchObject({ status: 200, body: TOKEN_PAIR });
  });

  it("refuses a replayed registration: the challenge is spent", async () => {
    const user = await signedInUser();
    const options = await registrationOptions(user.access);
    const authenticator = new SoftAuthenticator();
    const credential = await authenticator.create(options.body);
    expect((await register(user.access, credential)).status).toBe(201);
    expect(await register(user.access, credential)).toMatchObject({ status: 400, body: INVALID });
    // A new credential on the spent challenge too.
    expect(await register(user.access, await authenticator.create(options.body))).toMatchObject({ status: 400, body: INVALID });
    expect(await passkeyCount(user.id)).toBe(1);
    expect(await passkeyRows(user.id)).toHaveLength(1);
  });

  it("refuses an expired challenge, another user's, a login challenge and an unknown one, keeping nothing", async () => {
    const user = await signedInUser();
    const other = await signedInUser();
    const authenticator = new SoftAuthenticator();
    const expired = await registrationOptions(user.access);
    await dbRun("update passkey_challenges set expires_at = ? where challenge = ?", new Date(Date.now() - 1000), expired.body.challenge);
    expect(await register(user.access, await authenticator.create(expired.body))).toMatchObject({ status: 400, body: INVALID });
    const theirs = await registrationOptions(other.access);
    expect(await register(user.access, await authenticator.create(theirs.body))).toMatchObject({ status: 400, body: INVALID });
    // Not spent by the refusal: still theirs to use.
    expect(await challenges(theirs.body.challenge)).toBe(1);
    const login = await loginOptions();
    const mine = await registrationOptions(user.access);
    expect(await register(user.access, await authenticator.create(mine.body, { challenge: login.body.challenge }))).toMatchObject({ status: 400, body: INVALID });
    expect(await register(user.access, await authenticator.create(mine.body, { challenge: "A".repeat(43) }))).toMatchObject({ status: 400, body: INVALID });
    expect(await passkeyRows(user.id)).toEqual([]);
    expect(await passkeyCount(user.id)).toBe(0);
  });

  it("refuses another origin, another RP id, a login's client data, no user verification and an Ed25519 key", async () => {
    const user = await signedInUser();
    const cases = [
      { origin: "https://evil.example" },
      { origin: "http://api.test:8080" },
      { rpId: "evil.example" },
      { type: "webauthn.get" },
      { userVerified: false },
    ];
    for (const variation of cases) {
      const options = await registrationOptions(user.access);
      expect(await register(user.access, await new SoftAuthenticator().create(options.body, variation)), JSON.stringify(variation)).toMatchObject({ status: 400, body: INVALID });
    }
    const options = await registrationOptions(user.access);
    expect(await register(user.access, await new SoftAuthenticator(undefined, { algorithm: "EdDSA" }).create(options.body))).toMatchObject({ status: 400, body: INVALID });
    expect(await passkeyRows(user.id)).toEqual([]);
  });

  it("refuses what is no credential with the contract's body, and a missing one or name with DRF's", async () => {
    const user = await signedInUser();
    const options = await registrationOptions(user.access);
    const good = await new SoftAuthenticator().create(options.body);
    const broken = [
      "not-a-credential",
      42,
      [],
      {},
      { ...good, type: "password" },
      { ...good, response: { ...good.response, clientDataJSON: "bm90IGpzb24" } },
      { ...good, response: { ...good.response, attestationObject: "AAAA" } },
      { ...good, id: "other", rawId: "other" },
    ];
    for (const credential of broken) expect(await register(user.access, credential), JSON.stringify(credential)).toMatchObject({ status: 400, body: INVALID });
    expect(await call("POST", "/api/auth/passkeys/register/", { token: user.access, body: { name: "x" } })).toMatchObject({ status: 400, body: { credential: ["This field is required."] } });
    expect(await register(user.access, null)).toMatchObject({ status: 400, body: { credential: ["This field may not be null."] } });
    expect(await register(user.access, good, "")).toMatchObject({ status: 400, body: { name: ["This field may not be blank."] } });
    expect(await register(user.access, good, "x".repeat(65))).toMatchObject({ status: 400, body: { name: ["Ensure this field has no more than 64 characters."] } });
    expect(await passkeyRows(user.id)).toEqual([]);
    // The challenge was never spent by a refusal: the good credential still registers.
    expect((await register(user.access, good)).status).toBe(201);
  });

  it("needs a signed-in caller", async () => {
    expect(await call("POST", "/api/auth/passkeys/register/", { body: { credential: {}, name: "x" } })).toMatchObject({ status: 401, body: { detail: "Authentication credentials were not provided." } });
  });
});

describe("the passkeys list and deletion", () => {
  it("lists the caller's passkeys only, oldest first", async () => {
    const user = await userWithPasskey();
    const second = await addPasskey(user.access, new SoftAuthenticator(), "Phone");
    await userWithPasskey();
    const response = await call("GET", "/api/auth/passkeys/", { token: user.access });
    expect(response).toMatchObject({ status: 200, body: { results: [user.passkey, second] } });
    expect(await call("GET", "/api/auth/passkeys/")).toMatchObject({ status: 401, body: { detail: "Authentication credentials were not provided." } });
  });

  it("deletes one: it no longer signs in, and the count follows", async () => {
    const user = await userWithPasskey({ counter: false });
    const response = await call("DELETE", `/api/auth/passkeys/${user.passkey.id}/`, { token: user.access });
    expect(response.status).toBe(204);
    expect(response.body).toBeUndefined();
    expect(await passkeyRows(user.id)).toEqual([]);
    expect(await passkeyCount(user.id)).toBe(0);
    expect((await call("GET", "/api/auth/passkeys/", { token: user.access })).body).toEqual({ results: [] });
    expect(await loginWith(await assertion(user.authenticator))).toMatchObject({ status: 400, body: INVALID });
  });

  it("answers 404 for another user's passkey, an unknown id and a non-integer one, deleting nothing", async () => {
    const owner = await userWithPasskey();
    const intruder = await signedInUser();
    for (const id of [String(owner.passkey.id), "999999", "abc", "0"]) {
      expect(await call("DELETE", `/api/auth/passkeys/${id}/`, { token: intruder.access }), id).toMatchObject({ status: 404, body: { detail: "Not found." } });
    }
    expect(await passkeyRows(owner.id)).toHaveLength(1);
    expect(await passkeyCount(owner.id)).toBe(1);
  });

  it("refuses to delete the last way to sign in of a user with no usable password", async () => {
    const user = await userWithPasskey();
    await dbRun("update users set password = ? where id = ?", "!unusable", user.id);
    const last = await call("DELETE", `/api/auth/passkeys/${user.passkey.id}/`, { token: user.access });
    expect(last).toMatchObject({ status: 400, body: { detail: "You cannot remove your only way to sign in." } });
    expect(await passkeyRows(user.id)).toHaveLength(1);
    const second = await addPasskey(user.access, new SoftAuthenticator(), "Phone");
    expect((await call("DELETE", `/api/auth/passkeys/${user.passkey.id}/`, { token: user.access })).status).toBe(204);
    expect(await call("DELETE", `/api/auth/passkeys/${second.id}/`, { token: user.access })).toMatchObject({ status: 400, body: { detail: "You cannot remove your only way to sign in." } });
    expect(await passkeyCount(user.id)).toBe(1);
  });

  it("counts a linked social account as a way to sign in, both ways: the passkey goes, then the link may not", async () => {
    const user = await userWithPasskey();
    await dbRun("update users set password = ? where id = ?", "!unusable", user.id);
    await dbRun("insert into social_accounts (user_id, provider, uid, email, created_at) values (?, ?, ?, ?, ?)", user.id, "github", `uid-${user.id}`, null, new Date());
    const { id: linkId } = (await dbRow<{ id: number }>("select id from social_accounts where user_id = ?", user.id))!;
    // With the link left, the only passkey may go; then the link is the only way, and stays.
    expect((await call("DELETE", `/api/auth/passkeys/${user.passkey.id}/`, { token: user.access })).status).toBe(204);
    const unlink = await call("DELETE", `/api/auth/social-accounts/${linkId}/`, { token: user.access });
    expect(unlink).toMatchObject({ status: 400, body: { detail: "You cannot remove your only way to sign in." } });
    expect(await dbRow("select count(*) as n from social_accounts where user_id = ?", user.id)).toEqual({ n: 1 });
    // A passkey again: now the link may go, and the passkey may not.
    const again = await addPasskey(user.access, new SoftAuthenticator(), "Laptop");
    expect((await call("DELETE", `/api/auth/social-accounts/${linkId}/`, { token: user.access })).status).toBe(204);
    expect(await call("DELETE", `/api/auth/passkeys/${again.id}/`, { token: user.access })).toMatchObject({ status: 400, body: { detail: "You cannot remove your only way to sign in." } });
    expect(await passkeyCount(user.id)).toBe(1);
  });

  it("never deletes both of two passkeys deleted concurrently by a user with no usable password", async () => {
    const user = await userWithPasskey();
    const second = await addPasskey(user.access, new SoftAuthenticator(), "Phone");
    await dbRun("update users set password = ? where id = ?", "!unusable", user.id);
    const answers = await Promise.all([user.passkey.id, second.id].map((id) => call("DELETE", `/api/auth/passkeys/${id}/`, { token: user.access })));
    expect(answers.map((answer) => answer.status).sort()).toEqual([204, 400]);
    expect(await passkeyRows(user.id)).toHaveLength(1);
    expect(await passkeyCount(user.id)).toBe(1);
  });
});

describe("passkeys and the account", () => {
  it("are exported by name and dates, with no key", async () => {
    const user = await userWithPasskey();
    const response = await call("GET", "/api/auth/profile/export/", { token: user.access });
    expect(response.body.passkeys).toEqual([user.passkey]);
    expect(JSON.stringify(response.body)).not.toContain((await dbRow<{ public_key: string }>("select public_key from passkeys where user_id = ?", user.id))!.public_key);
  });

  it("go with the account, with its challenges", async () => {
    const user = await userWithPasskey();
    await registrationOptions(user.access);
    expect((await call("DELETE", "/api/auth/profile/", { token: user.access, body: { password: user.password } })).status).toBe(204);
    expect(await dbRow("select count(*) as n from passkeys where user_id = ?", user.id)).toEqual({ n: 0 });
    expect(await dbRow("select count(*) as n from passkey_challenges where user_id = ?", user.id)).toEqual({ n: 0 });
    expect(await loginWith(await assertion(user.authenticator))).toMatchObject({ status: 400, body: INVALID });
  });

  it("work on pages of the origin: no Permissions-Policy forbids WebAuthn", async () => {
    for (const path of ["/api/docs/", "/api/auth/passkeys/login/options/"]) {
      const response = await call(path.endsWith("options/") ? "POST" : "GET", path);
      expect(response.headers.get("Permissions-Policy"), path).toBeNull();
    }
  });
});

describe("storage calls per passkey route", () => {
  it("are one per read and per write (the login two: the passkey's read, then one write; a deletion on PostgreSQL locks the user's row first)", async () => {
    const user = await signedInUser();
    const authenticator = new SoftAuthenticator();
    const cost = (response: { status: number; headers: Headers; body: unknown }, status: number) => {
      expect(response.status, JSON.stringify(response.body)).toBe(status);
      return storageCalls(response.headers);
    };
    const options = await registrationOptions(user.access);
    const registered = await register(user.access, await authenticator.create(options.body));
    const loginChallenge = await loginOptions();
    const signedIn = await loginWith(await authenticator.get(loginChallenge.body));
    const measured = {
      "register/options": cost(options, 200),
      register: cost(registered, 201),
      "login/options": cost(loginChallenge, 200),
      login: cost(signedIn, 200),
      list: cost(await call("GET", "/api/auth/passkeys/", { token: user.access }), 200),
      delete: cost(await call("DELETE", `/api/auth/passkeys/${registered.body.id}/`, { token: user.access }), 204),
    };
    expect(measured).toEqual({ "register/options": 1, register: 1, "login/options": 1, login: 2, list: 1, delete: ENGINE === "d1" ? 1 : 4 });
  });
});
