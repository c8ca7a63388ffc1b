/** Password reset: dj-rest-auth's routes with Django's reset tokens, mailed after the response. */
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { makeResetToken } from "../src/auth/reset-tokens";
import { BLACKLISTED, PASSWORD, call, callWithEnv, login, refreshWith, signedInUser, uniqueName } from "./helpers";
import { dbAll, dbRow } from "./db";

const SENT = { detail: "Password reset e-mail has been sent." };
const DONE = { detail: "Password has been reset with the new password." };
const NEW_PASSWORD = "a-brand-new-passphrase-3";

interface Mail {
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
}

/** A recording EMAIL binding (the seam around Cloudflare's send_email). */
function mailbox() {
  const sent: Mail[] = [];
  return { sent, binding: { send: async (message: Mail) => void sent.push(message) } };
}

async function requestReset(email: string, headers: Record<string, string> = {}, vars: Record<string, unknown> = {}) {
  const box = mailbox();
  const response = await callWithEnv({ EMAIL: box.binding as never, ...vars } as never, "POST", "/api/auth/password/reset/", { email }, undefined, headers);
  return { response, sent: box.sent };
}

function linkIn(mail: Mail) {
  const match = /http:\/\/api\.test\/account\/reset\/([A-Za-z0-9_-]+)\/([0-9a-z]+-[0-9a-f]{32})\//.exec(mail.text);
  expect(match, mail.text).not.toBeNull();
  return { uid: match![1]!, token: match![2]! };
}

const confirm = (body: Record<string, string>) => call("POST", "/api/auth/password/reset/confirm/", { body });

describe("POST /api/auth/password/reset/", () => {
  it("mails a link to an active user's address, and answers the same for any other address", async () => {
    const user = await signedInUser();
    const known = await requestReset(user.email.toUpperCase().replace("@EXAMPLE.COM", "@example.com"));
    expect(known.response).toMatchObject({ status: 200, body: SENT });
    expect(known.sent).toHaveLength(1);
    const [mail] = known.sent;
    expect(mail).toMatchObject({ from: "no-reply@api.test", to: user.email, subject: "Reset your password" });
    expect(mail!.text).toContain(user.username);
    expect(mail!.text).toContain("60 minutes");
    expect(mail!.text).toContain("If you did not ask for this");
    expect(mail!.html).toContain('<a href="http://api.test/account/reset/');
    expect(linkIn(mail!).uid).toBe(btoa(String(user.id)).replace(/=+$/, ""));

    for (const email of ["nobody-at-all@example.com", "not-an-active@example.com"]) {
      const unknown = await requestReset(email);
      expect(unknown.response).toMatchObject({ status: 200, body: SENT });
      expect(unknown.sent).toEqual([]);
    }
    const invalid = await requestReset("not an address");
    expect(invalid.response).toMatchObject({ status: 400, body: { email: ["Enter a valid email address."] } });
  });

  it("builds the link from PUBLIC_URL, never from a forged Host header", async () => {
    const user = await signedInUser();
    const { sent } = await requestReset(user.email, { Host: "evil.example", "X-Forwarded-Host": "evil.example" });
    expect(sent[0]!.text).toContain("http://api.test/account/reset/");
    expect(sent[0]!.text + sent[0]!.html).not.toContain("evil.example");
  });

  it("answers a known and an unknown address in the same time (medians within 1.5x)", async () => {
    const user = await signedInUser();
    // The answer's time, as a client sees it: the Worker's fetch, which does not wait for the
    // mail sent after the response (through the real, emulated binding here).
    const time = async (email: string) => {
      const started = performance.now();
      const response = await exports.default.fetch(
        new Request("http://api.test/api/auth/password/reset/", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ email }) }),
      );
      await response.arrayBuffer();
      expect(response.status).toBe(200);
      return performance.now() - started;
    };
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
    for (let i = 0; i < 3; i++) await time(`${uniqueName("warm")}@example.com`);
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 15; i++) {
      known.push(await time(user.email));
      unknown.push(await time(`${uniqueName("ghost")}@example.com`));
    }
    const [a, b] = [median(known), median(unknown)];
    expect(Math.max(a, b) / Math.min(a, b)).toBeLessThan(1.5);
  });

  it("throttles requests per address (429), and per recipient by sending nothing more (the same answer)", async () => {
    const user = await signedInUser();
    const limits = { THROTTLE_EMAIL: "2/3600" };
    for (let i = 0; i < 2; i++) expect((await requestReset(user.email, { "CF-Connecting-IP": `198.51.100.${i}` }, limits)).sent).toHaveLength(1);
    const recipient = await requestReset(user.email, { "CF-Connecting-IP": "198.51.100.9" }, limits);
    expect(recipient.response.status).toBe(200);
    expect(recipient.response.body).toEqual(SENT);
    expect(recipient.sent).toEqual([]);
    for (let i = 0; i < 2; i++) await requestReset(`${uniqueName("x")}@example.com`, { "CF-Connecting-IP": "203.0.113.50" }, limits);
    expect((await requestReset(`${uniqueName("y")}@example.com`, { "CF-Connecting-IP": "203.0.113.50" }, limits)).response.status).toBe(429);
  });

  it("goes through the real (emulated) send_email binding", async () => {
    const user = await signedInUser();
    const logged: string[] = [];
    const original = console.error;
    console.error = (line: unknown) => void logged.push(String(line));
    try {
      const response = await callWithEnv({}, "POST", "/api/auth/password/reset/", { email: user.email });
      expect(response).toMatchObject({ status: 200, body: SENT });
    } finally {
      console.error = original;
    }
    expect(logged.filter((line) => line.includes("mail-failed"))).toEqual([]);
  });
});

describe("POST /api/auth/password/reset/confirm/", () => {
  it("sets the new password from the mailed link, ends every session and marks the email verified", async () => {
    const user = await signedInUser();
    const other = await login(user.username);
    const { sent } = await requestReset(user.email);
    const { uid, token } = linkIn(sent[0]!);
    const response = await confirm({ uid, token, new_password1: NEW_PASSWORD, new_password2: NEW_PASSWORD });
    expect(response).toMatchObject({ status: 200, body: DONE });
    expect((await call("POST", "/api/auth/login/", { body: { username: user.username, password: NEW_PASSWORD } })).status).toBe(200);
    expect((await call("POST", "/api/auth/login/", { body: { username: user.username, password: PASSWORD } })).status).toBe(401);
    for (const tokens of [user, other]) {
      expect((await call("GET", "/api/auth/profile/", { token: tokens.access })).status).toBe(401);
      expect(await refreshWith(tokens.refresh)).toMatchObject({ status: 401, body: BLACKLISTED });
    }
    expect(await dbRow("select email_verified from users where id = ?", user.id)).toEqual({ email_verified: 1 });
    // The link works once.
    expect(await confirm({ uid, token, new_password1: "yet-another-passphrase-4", new_password2: "yet-another-passphrase-4" })).toMatchObject({ status: 400, body: { token: ["Invalid value"] } });
  });

  it("clears the failed logins counted against the user, so an owner locked out by a distributed attack recovers by email", async () => {
    const limits = { THROTTLE_LOGIN_USER: "5/900", THROTTLE_LOGIN_USER_ADDRESS: "2/900", THROTTLE_LOGIN_ADDRESS: "1000/900" };
    const loginFrom = (username: string, password: string, ip: string) => callWithEnv(limits, "POST", "/api/auth/login/", { username, password }, undefined, { "CF-Connecting-IP": ip });
    const THROTTLED = { detail: expect.stringMatching(/^Request was throttled\. Expected available in \d+ seconds\.$/) };
    const owner = await signedInUser();
    const bystander = await signedInUser();
    // The owner, travelling, mistypes twice at a hotel; strangers spend the rest of the username's limit from three addresses.
    for (let i = 0; i < 2; i++) expect((await loginFrom(owner.username.toUpperCase(), "wrong-password", "192.0.2.77")).status).toBe(401);
    for (let i = 0; i < 3; i++) expect((await loginFrom(owner.username, "wrong-password", `203.0.113.${i + 1}`)).status).toBe(401);
    for (let i = 0; i < 5; i++) expect((await loginFrom(bystander.username, "wrong-password", `203.0.113.${i + 1}`)).status).toBe(401);
    expect(await loginFrom(owner.username, PASSWORD, "192.0.2.77")).toMatchObject({ status: 429, body: THROTTLED });
    expect(await loginFrom(owner.username, PASSWORD, "192.0.2.78")).toMatchObject({ status: 429, body: THROTTLED });
    const events = async () => (await dbAll<{ key: string }>("select key from throttle_events order by key")).results.map((row) => row.key);
    const { sent } = await requestReset(owner.email);
    const { uid, token } = linkIn(sent[0]!);
    const before = await events();
    // A confirmation that fails clears nothing.
    expect(await confirm({ uid, token: `${token.slice(0, -1)}${token.endsWith("0") ? "1" : "0"}`, new_password1: NEW_PASSWORD, new_password2: NEW_PASSWORD })).toMatchObject({ status: 400, body: { token: ["Invalid value"] } });
    expect(await confirm({ uid, token, new_password1: NEW_PASSWORD, new_password2: "another-passphrase-7" })).toMatchObject({ status: 400 });
    expect(await events()).toEqual(before);
    expect(await confirm({ uid, token, new_password1: NEW_PASSWORD, new_password2: NEW_PASSWORD })).toMatchObject({ status: 200, body: DONE });
    // Exactly the owner's username counts are gone: per username, and per (username, address) in any letter case.
    const ownerName = owner.username.toLowerCase();
    expect(await events()).toEqual(before.filter((key) => key !== `login-user:${ownerName}` && !key.startsWith(`login-user-address:${ownerName}|`)));
    expect(before.filter((key) => key.startsWith("login-") && key.includes(ownerName))).toHaveLength(5 + 5);
    // The owner signs in from the hotel and from a new place; the bystander is still held back.
    expect((await loginFrom(owner.username, NEW_PASSWORD, "192.0.2.77")).status).toBe(200);
    expect((await loginFrom(owner.username, NEW_PASSWORD, "192.0.2.79")).status).toBe(200);
    expect(await loginFrom(bystander.username, PASSWORD, "192.0.2.80")).toMatchObject({ status: 429, body: THROTTLED });
  });

  it("refuses a token after a later password change, a token of another user, tampered and expired ones", async () => {
    const user = await signedInUser();
    const other = await signedInUser();
    const secret = "test-signing-secret-0123456789abcdef";
    const row = async (id: number) =>
      (await dbRow<{ id: number; password: string; last_login: number | null; email: string }>("select id, password, last_login, email from users where id = ?", id))!;
    const subject = async (id: number) => {
      const { last_login, ...r } = await row(id);
      return { ...r, lastLogin: last_login === null ? null : new Date(last_login) };
    };
    const uid = btoa(String(user.id)).replace(/=+$/, "");
    const valid = await makeResetToken(await subject(user.id), secret);
    const otherToken = await makeResetToken(await subject(other.id), secret);
    const expired = await makeResetToken(await subject(user.id), secret, Date.now() - 3601_000);
    const body = (token: string, id = uid) => ({ uid: id, token, new_password1: NEW_PASSWORD, new_password2: NEW_PASSWORD });
    expect(await confirm(body(otherToken))).toMatchObject({ status: 400, body: { token: ["Invalid value"] } });
    expect(await confirm(body(expired))).toMatchObject({ status: 400, body: { token: ["Invalid value"] } });
    expect(await confirm(body(`${valid.slice(0, -1)}${valid.endsWith("0") ? "1" : "0"}`))).toMatchObject({ status: 400, body: { token: ["Invalid value"] } });
    for (const badUid of ["", "@@@", btoa("0"), btoa("99999999"), btoa("abc")]) {
      expect(await confirm(body(valid, badUid))).toMatchObject({ status: 400 });
    }
    expect(await confirm(body(valid, btoa("99999999").replace(/=+$/, "")))).toMatchObject({ status: 400, body: { uid: ["Invalid value"] } });
    expect(await confirm({ ...body(valid), new_password2: "different-passphrase-5" })).toMatchObject({ status: 400, body: { new_password2: ["The two password fields didn’t match."] } });
    expect(await confirm({ ...body(valid), new_password1: "12345678", new_password2: "12345678" })).toMatchObject({
      status: 400,
      body: { new_password2: ["This password is too common.", "This password is entirely numeric."] },
    });
    // A password change after the link was made retires it.
    const changed = await call("POST", "/api/auth/password/change/", { token: user.access, body: { old_password: PASSWORD, new_password: "changed-passphrase-6", new_password2: "changed-passphrase-6" } });
    expect(changed.status).toBe(200);
    expect(await confirm(body(valid))).toMatchObject({ status: 400, body: { token: ["Invalid value"] } });
  });
});
