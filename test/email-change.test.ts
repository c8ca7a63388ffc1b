/**
 * Changing the email (PUT/PATCH profile): the caller's password in `current_password`, in every
 * verification mode, so a stolen access token cannot move the account to another mailbox; when
 * the change takes effect the old address is told and every other session ends.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { BLACKLISTED, PASSWORD, call, newProfile, refreshWith, uniqueName } from "./helpers";
import { CONFIRM_SUBJECT, MODES, NOTICE_SUBJECT, accountState, bucketKeys, keyIn, mailbox, ownerWithTwoSessions, picturePatch } from "./mail";
import { ENGINE, dbRow } from "./db";
import { storageCalls } from "./server-timing";
const REQUIRED = { current_password: ["This field is required."] };
const INCORRECT = { current_password: ["The password is incorrect."] };
const BAD_TOKEN = {
  detail: "Given token not valid for any token type",
  code: "token_not_valid",
  messages: [{ token_class: "AccessToken", token_type: "access", message: "Token is invalid or expired" }],
};

const revokedInKv = async (sid: string) => (await env.KV.get(`revoked-family:${sid}`)) !== null;

describe("email changes need the current password", () => {
  for (const mode of MODES) {
    it(`refuses a stolen access token's email change without the password (EMAIL_VERIFICATION=${mode}), applying and mailing nothing`, async () => {
      const owner = await ownerWithTwoSessions();
      const box = mailbox({ EMAIL_VERIFICATION: mode });
      const before = await accountState(owner.id);
      const keys = await bucketKeys();
      const json = await box.call("PATCH", "/api/auth/profile/", {
        token: owner.access,
        body: { email: "thief@evil.example", username: uniqueName("pwned"), bio: "mine now" },
      });
      expect(json.status).toBe(400);
      expect(json.body).toEqual(REQUIRED);
      const multipart = await box.call("PUT", "/api/auth/profile/", {
        token: owner.access,
        body: picturePatch({ email: "thief@evil.example", first_name: "Thief" }),
      });
      expect(multipart.status).toBe(400);
      expect(multipart.body).toEqual(REQUIRED);
      expect(await accountState(owner.id)).toEqual(before);
      expect(await bucketKeys()).toEqual(keys);
      expect(box.sent).toEqual([]);
      expect((await call("GET", "/api/auth/profile/", { token: owner.device.access })).status).toBe(200);
      expect(await revokedInKv(owner.device.sid)).toBe(false);
    });

    it(`refuses a wrong current password (EMAIL_VERIFICATION=${mode}), applying and mailing nothing`, async () => {
      const owner = await ownerWithTwoSessions();
      const box = mailbox({ EMAIL_VERIFICATION: mode });
      const before = await accountState(owner.id);
      const keys = await bucketKeys();
      const wrong = await box.call("PATCH", "/api/auth/profile/", {
        token: owner.access,
        body: picturePatch({ email: "thief@evil.example", bio: "mine now", current_password: "a-good-guess-1" }),
      });
      expect(wrong.status).toBe(400);
      expect(wrong.body).toEqual(INCORRECT);
      expect(await accountState(owner.id)).toEqual(before);
      expect(await bucketKeys()).toEqual(keys);
      expect(box.sent).toEqual([]);
      expect((await call("GET", "/api/auth/profile/", { token: owner.device.access })).status).toBe(200);
    });
  }

  it("counts wrong passwords against THROTTLE_PASSWORD_CHECK with account deletion's, then answers 429 even to the right one", async () => {
    const owner = await ownerWithTwoSessions();
    const box = mailbox({ THROTTLE_PASSWORD_CHECK: "3/900" });
    const before = await accountState(owner.id);
    for (let i = 0; i < 2; i++) {
      const wrong = await box.call("PATCH", "/api/auth/profile/", { token: owner.access, body: { email: "thief@evil.example", current_password: `guess-${i}-abc` } });
      expect(wrong.status).toBe(400);
      expect(wrong.body).toEqual(INCORRECT);
    }
    const deletion = await box.call("DELETE", "/api/auth/profile/", { token: owner.access, body: { password: "guess-2-abc" } });
    expect(deletion.body).toEqual({ password: ["The password is incorrect."] });
    const throttled = await box.call("PATCH", "/api/auth/profile/", { token: owner.access, body: { email: "thief@evil.example", bio: "x", current_password: PASSWORD } });
    expect(throttled.status).toBe(429);
    const wait = Number(throttled.headers.get("Retry-After"));
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(900);
    expect(throttled.body).toEqual({ detail: `Request was throttled. Expected available in ${wait} seconds.` });
    expect(await accountState(owner.id)).toEqual(before);
    expect(box.sent).toEqual([]);
    // Fields other than the email need no password, so they are not held back.
    expect((await box.call("PATCH", "/api/auth/profile/", { token: owner.access, body: { bio: "still mine" } })).status).toBe(200);
  });

  it("lets at most the limit of concurrent wrong guesses be checked", async () => {
    const owner = await ownerWithTwoSessions();
    const box = mailbox({ THROTTLE_PASSWORD_CHECK: "3/900" });
    const before = await accountState(owner.id);
    const responses = await Promise.all(
      Array.from({ length: 10 }, (_, i) => box.call("PATCH", "/api/auth/profile/", { token: owner.access, body: { email: `thief${i}@evil.example`, current_password: `guess-${i}-xyz` } })),
    );
    expect(responses.filter((r) => r.status === 400)).toHaveLength(3);
    expect(responses.filter((r) => r.status === 429)).toHaveLength(7);
    expect(await accountState(owner.id)).toEqual(before);
    expect(box.sent).toEqual([]);
  });

  it("gives an invalid address its own field error, and needs no password for the current address in another case", async () => {
    const owner = await ownerWithTwoSessions();
    const invalid = await call("PATCH", "/api/auth/profile/", { token: owner.access, body: { email: "not-an-address", bio: "x" } });
    expect(invalid.status).toBe(400);
    expect(invalid.body).toEqual({ email: ["Enter a valid email address."] });
    const blank = await call("PATCH", "/api/auth/profile/", { token: owner.access, body: { email: "thief@evil.example", current_password: "" } });
    expect(blank.body).toEqual({ current_password: ["This field may not be blank."] });
    const same = await call("PATCH", "/api/auth/profile/", { token: owner.access, body: { email: owner.email.toUpperCase().replace("@EXAMPLE.COM", "@example.com"), bio: "same" } });
    expect(same.status).toBe(200);
    expect(same.body).toMatchObject({ bio: "same" });
    expect((await call("GET", "/api/auth/profile/", { token: owner.device.access })).status).toBe(200);
  });

  it("costs two round trips on D1, as any profile update: the password's and the mail's slots ride in the batch that reads the caller", async () => {
    const owner = await ownerWithTwoSessions();
    const changed = await call("PATCH", "/api/auth/profile/", { token: owner.access, body: { email: `${uniqueName("moved")}@example.com`, current_password: PASSWORD } });
    expect(changed.status).toBe(200);
    // On PostgreSQL the read that reserves the slots and the update that counts the mail are a transaction each (BEGIN, lock, work, COMMIT).
    expect(storageCalls(changed.headers)).toBe(ENGINE === "d1" ? 2 : 8);
  });

  it("never answers current_password, and documents it as a write-only field of the profile body", async () => {
    const owner = await ownerWithTwoSessions();
    const wanted = `${uniqueName("moved")}@example.com`;
    const changed = await call("PATCH", "/api/auth/profile/", { token: owner.access, body: { email: wanted, current_password: PASSWORD } });
    expect(changed.status).toBe(200);
    expect(changed.body).toEqual({ ...newProfile({ ...owner, email: wanted }) });
    const schema = (await call("GET", "/api/schema/")).body;
    expect(schema.components.schemas.ProfileUpdateRequest.properties.current_password).toMatchObject({ type: "string", writeOnly: true, maxLength: 4096 });
    expect(schema.components.schemas.Profile.properties.current_password).toBeUndefined();
    const options = await call("OPTIONS", "/api/auth/profile/");
    expect(options.body.actions.PATCH.current_password).toEqual({ type: "string", required: false, read_only: false, label: "Current password", max_length: 4096, min_length: 1 });
  });
});

describe("when an email change takes effect", () => {
  it("with none: changes at once, tells the old address, and ends every other session (the requesting one stays)", async () => {
    const owner = await ownerWithTwoSessions();
    const box = mailbox({ EMAIL_VERIFICATION: "none" });
    const wanted = `${uniqueName("moved")}@example.com`;
    const changed = await box.call("PATCH", "/api/auth/profile/", { token: owner.access, body: { email: wanted, current_password: PASSWORD } });
    expect(changed.status).toBe(200);
    expect(changed.body).toEqual({ ...newProfile({ ...owner, email: wanted }) });
    expect(box.envelopes()).toEqual([[owner.email, NOTICE_SUBJECT]]);
    expect(box.sent[0]!.text).toContain(wanted);
    expect(box.sent[0]!.text).toContain(owner.username);
    expect((await call("GET", "/api/auth/profile/", { token: owner.access })).status).toBe(200);
    const ended = await call("GET", "/api/auth/profile/", { token: owner.device.access });
    expect(ended.status).toBe(401);
    expect(ended.body).toEqual(BAD_TOKEN);
    expect(await refreshWith(owner.device.refresh)).toMatchObject({ status: 401, body: BLACKLISTED });
    expect(await revokedInKv(owner.device.sid)).toBe(true);
    expect(await revokedInKv(owner.sid)).toBe(false);
    expect((await accountState(owner.id)).sessions).toEqual([owner.sid]);
  });

  for (const mode of ["optional", "mandatory"] as const) {
    it(`with ${mode}: mails only the new address at first; confirming it tells the old one and ends every other session but the requesting one`, async () => {
      const owner = await ownerWithTwoSessions();
      const box = mailbox({ EMAIL_VERIFICATION: mode });
      const wanted = `${uniqueName("moved")}@example.com`;
      const asked = await box.call("PATCH", "/api/auth/profile/", { token: owner.access, body: { email: wanted, current_password: PASSWORD } });
      expect(asked.status).toBe(200);
      expect(asked.body).toEqual({ ...newProfile(owner), pending_email: wanted });
      expect(box.envelopes()).toEqual([[wanted, CONFIRM_SUBJECT]]);
      // Nothing has changed yet: every session lives.
      expect((await call("GET", "/api/auth/profile/", { token: owner.device.access })).status).toBe(200);
      const key = keyIn(box.sent[0]!);
      box.sent.length = 0;

      const confirmed = await box.call("POST", "/api/auth/registration/verify-email/", { body: { key } });
      expect(confirmed.status).toBe(200);
      expect(confirmed.body).toEqual({ detail: "ok" });
      expect(box.envelopes()).toEqual([[owner.email, NOTICE_SUBJECT]]);
      expect(box.sent[0]!.text).toContain(wanted);
      const profile = await call("GET", "/api/auth/profile/", { token: owner.access });
      expect(profile.status).toBe(200);
      expect(profile.body).toEqual({ ...newProfile({ ...owner, email: wanted }), email_verified: true });
      expect((await call("GET", "/api/auth/profile/", { token: owner.device.access })).body).toEqual(BAD_TOKEN);
      expect(await refreshWith(owner.device.refresh)).toMatchObject({ status: 401, body: BLACKLISTED });
      expect(await revokedInKv(owner.device.sid)).toBe(true);
      expect((await accountState(owner.id)).sessions).toEqual([owner.sid]);

      // The key is spent: presenting it again changes and mails nothing more.
      box.sent.length = 0;
      expect((await box.call("POST", "/api/auth/registration/verify-email/", { body: { key } })).body).toEqual({ detail: "ok" });
      expect(box.sent).toEqual([]);
    });
  }

  it("mails one notice when confirmations of one key race", async () => {
    const owner = await ownerWithTwoSessions();
    const box = mailbox({ EMAIL_VERIFICATION: "optional" });
    const wanted = `${uniqueName("moved")}@example.com`;
    await box.call("PATCH", "/api/auth/profile/", { token: owner.access, body: { email: wanted, current_password: PASSWORD } });
    const key = keyIn(box.sent[0]!);
    box.sent.length = 0;
    const responses = await Promise.all(Array.from({ length: 5 }, () => box.call("POST", "/api/auth/registration/verify-email/", { body: { key } })));
    // The winner confirms; the others find the address already confirmed (200) or no longer pending (404).
    expect(responses.filter((r) => r.status === 200).length).toBeGreaterThanOrEqual(1);
    for (const response of responses) expect(response.body).toEqual(response.status === 200 ? { detail: "ok" } : { detail: "Not found." });
    expect(box.envelopes()).toEqual([[owner.email, NOTICE_SUBJECT]]);
    expect(await accountState(owner.id)).toMatchObject({ row: { email: wanted, pending_email: null, email_verified: 1 }, sessions: [owner.sid] });
  });

  it("ends the other sessions at confirmation even when the requesting one has ended meanwhile", async () => {
    const owner = await ownerWithTwoSessions();
    const box = mailbox({ EMAIL_VERIFICATION: "optional" });
    const wanted = `${uniqueName("moved")}@example.com`;
    await box.call("PATCH", "/api/auth/profile/", { token: owner.access, body: { email: wanted, current_password: PASSWORD } });
    const key = keyIn(box.sent[0]!);
    await call("POST", "/api/auth/logout/", { body: { refresh: owner.refresh } });
    expect((await box.call("POST", "/api/auth/registration/verify-email/", { body: { key } })).status).toBe(200);
    expect((await accountState(owner.id)).sessions).toEqual([]);
    expect(await revokedInKv(owner.device.sid)).toBe(true);
  });

  it("with none, tells each address the account held just before its change when two changes race, each counted against its own recipient", async () => {
    const owner = await ownerWithTwoSessions();
    const box = mailbox({ EMAIL_VERIFICATION: "none" });
    const wanted = [`${uniqueName("raceb")}@example.com`, `${uniqueName("racec")}@example.com`];
    const responses = await Promise.all(wanted.map((email) => box.call("PATCH", "/api/auth/profile/", { token: owner.access, body: { email, current_password: PASSWORD } })));
    expect(responses.map((r) => r.status)).toEqual([200, 200]);
    expect(responses.map((r) => r.body)).toEqual(wanted.map((email) => newProfile({ ...owner, email })));
    const last = (await accountState(owner.id)).row!.email as string;
    const first = wanted.find((email) => email !== last)!;
    // The first change replaced the old address, the second the first's.
    expect(box.envelopes()).toEqual([[owner.email, NOTICE_SUBJECT], [first, NOTICE_SUBJECT]].sort());
    expect(box.sent.find((mail) => mail.to === first)!.text).toContain(last);
    const counted = async (address: string) => (await dbRow("select count(*) as n from throttle_events where key = ?", `email-to:${address}`))!.n;
    expect([await counted(owner.email), await counted(first)]).toEqual([1, 1]);
  });

  it("refuses an old verification key (one without a session) for an address pending again, changing nothing", async () => {
    const box = mailbox({ EMAIL_VERIFICATION: "optional" });
    const username = uniqueName("keyed");
    const first = `${username}@example.com`;
    expect((await box.call("POST", "/api/auth/register/", { body: { username, email: first, password: PASSWORD, password2: PASSWORD } })).status).toBe(201);
    // The registration's key: it names no session.
    const plain = keyIn(box.sent[0]!);
    const { access } = (await box.call("POST", "/api/auth/login/", { body: { username, password: PASSWORD } })).body;
    const id = (await call("GET", "/api/auth/profile/", { token: access })).body.id as number;
    // The owner moves to a second address, signs in on another device, then asks to move back to the first.
    const second = `${uniqueName("second")}@example.com`;
    await box.call("PATCH", "/api/auth/profile/", { token: access, body: { email: second, current_password: PASSWORD } });
    expect((await box.call("POST", "/api/auth/registration/verify-email/", { body: { key: keyIn(box.sent.at(-1)!) } })).body).toEqual({ detail: "ok" });
    const other = (await box.call("POST", "/api/auth/login/", { body: { username, password: PASSWORD } })).body;
    const back = await box.call("PATCH", "/api/auth/profile/", { token: access, body: { email: first, current_password: PASSWORD } });
    expect(back.body).toMatchObject({ email: second, pending_email: first });
    const before = await accountState(id);
    box.sent.length = 0;
    const refused = await box.call("POST", "/api/auth/registration/verify-email/", { body: { key: plain } });
    expect(refused.status).toBe(404);
    expect(refused.body).toEqual({ detail: "Not found." });
    expect(await accountState(id)).toEqual(before);
    expect(before.sessions).toHaveLength(2);
    expect(box.sent).toEqual([]);
    expect((await call("GET", "/api/auth/profile/", { token: other.access })).status).toBe(200);
  });

  it("refuses a key whose session part was swapped for another session's", async () => {
    const owner = await ownerWithTwoSessions();
    const box = mailbox({ EMAIL_VERIFICATION: "optional" });
    const wanted = `${uniqueName("moved")}@example.com`;
    await box.call("PATCH", "/api/auth/profile/", { token: owner.access, body: { email: wanted, current_password: PASSWORD } });
    const key = keyIn(box.sent[0]!);
    expect(key).toContain(owner.sid);
    const swapped = key.replace(owner.sid, owner.device.sid);
    const refused = await box.call("POST", "/api/auth/registration/verify-email/", { body: { key: swapped } });
    expect(refused.status).toBe(404);
    expect(refused.body).toEqual({ detail: "Not found." });
    expect((await accountState(owner.id)).row).toMatchObject({ email: owner.email, pending_email: wanted });
    expect((await accountState(owner.id)).sessions).toEqual([owner.sid, owner.device.sid].sort());
  });
});
