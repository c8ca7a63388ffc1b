/** Email verification (EMAIL_VERIFICATION = none | optional | mandatory): keys mailed, confirmed, required. */
import { describe, expect, it } from "vitest";
import { makeVerificationKey } from "../src/auth/verification-keys";
import { PASSWORD, callWithEnv, uniqueName } from "./helpers";
import { dbRow } from "./db";

interface Mail {
  to: string;
  subject: string;
  text: string;
  html: string;
}

function withMailbox(vars: Record<string, string>) {
  const sent: Mail[] = [];
  const envVars = { ...vars, EMAIL: { send: async (message: Mail) => void sent.push(message) } } as never;
  return { sent, call: (method: string, path: string, body?: Record<string, unknown>, token?: string) => callWithEnv(envVars, method, path, body, token) };
}

async function registerWith(box: ReturnType<typeof withMailbox>) {
  const username = uniqueName("verify");
  const email = `${username}@example.com`;
  const response = await box.call("POST", "/api/auth/register/", { username, email, password: PASSWORD, password2: PASSWORD });
  expect(response.status).toBe(201);
  return { username, email };
}

const confirmation = (sent: Mail[]) => sent.find((mail) => mail.subject === "Confirm your email address")!;
const keyIn = (mail: Mail) => /\/account\/verify-email\/([0-9a-z]+-[A-Za-z0-9_-]+-[0-9a-f]{32})\//.exec(mail.text)![1]!;
const verifiedOf = async (username: string) => (await dbRow<{ v: number }>("select email_verified as v from users where username = ?", username))!.v;

describe("email verification", () => {
  it("mails nothing with EMAIL_VERIFICATION=none (the original's behaviour)", async () => {
    const box = withMailbox({ EMAIL_VERIFICATION: "none" });
    const user = await registerWith(box);
    expect(box.sent).toEqual([]);
    expect((await box.call("POST", "/api/auth/login/", { username: user.username, password: PASSWORD })).status).toBe(200);
  });

  it("mails a key at registration with optional, which verifies the address once confirmed", async () => {
    const box = withMailbox({ EMAIL_VERIFICATION: "optional" });
    const user = await registerWith(box);
    expect(box.sent).toHaveLength(1);
    expect(box.sent[0]).toMatchObject({ to: user.email, subject: "Confirm your email address" });
    expect(box.sent[0]!.text).toContain("http://api.test/account/verify-email/");
    expect(box.sent[0]!.text).toContain("72 hours");
    // Optional: login works before confirming.
    expect((await box.call("POST", "/api/auth/login/", { username: user.username, password: PASSWORD })).status).toBe(200);
    expect(await verifiedOf(user.username)).toBe(0);
    const verified = await box.call("POST", "/api/auth/registration/verify-email/", { key: keyIn(box.sent[0]!) });
    expect(verified).toMatchObject({ status: 200, body: { detail: "ok" } });
    expect(await verifiedOf(user.username)).toBe(1);
  });

  it("refuses a correct login of an unverified user with mandatory, until the address is confirmed", async () => {
    const box = withMailbox({ EMAIL_VERIFICATION: "mandatory" });
    const user = await registerWith(box);
    const refused = await box.call("POST", "/api/auth/login/", { username: user.username, password: PASSWORD });
    expect(refused).toMatchObject({ status: 400, body: { non_field_errors: ["E-mail is not verified."] } });
    const wrong = await box.call("POST", "/api/auth/login/", { username: user.username, password: "not-the-password" });
    expect(wrong).toMatchObject({ status: 401, body: { detail: "No active account found with the given credentials" } });
    await box.call("POST", "/api/auth/registration/verify-email/", { key: keyIn(box.sent[0]!) });
    expect((await box.call("POST", "/api/auth/login/", { username: user.username, password: PASSWORD })).status).toBe(200);
  });

  it("answers 404 for bad, tampered, expired and other users' keys, verifying nothing", async () => {
    const box = withMailbox({ EMAIL_VERIFICATION: "optional" });
    const user = await registerWith(box);
    const other = await registerWith(box);
    const key = keyIn(box.sent[0]!);
    const id = (await dbRow<{ id: number }>("select id from users where username = ?", user.username))!.id;
    const expired = await makeVerificationKey({ id, email: user.email }, "test-signing-secret-0123456789abcdef", Date.now() - 259_201_000);
    const forOtherAddress = await makeVerificationKey({ id, email: "someone-else@example.com" }, "test-signing-secret-0123456789abcdef");
    for (const bad of ["", "garbage", `${key.slice(0, -1)}${key.endsWith("0") ? "1" : "0"}`, expired, forOtherAddress, keyIn(box.sent[1]!).replace(/-[A-Za-z0-9_-]+-/, `-${btoa(String(id)).replace(/=+$/, "")}-`)]) {
      const response = await box.call("POST", "/api/auth/registration/verify-email/", { key: bad });
      expect(response.status, bad.slice(0, 20)).toBe(bad === "" ? 400 : 404);
      if (bad !== "") expect(response.body).toEqual({ detail: "Not found." });
    }
    expect(await verifiedOf(user.username)).toBe(0);
    expect(await verifiedOf(other.username)).toBe(0);
  });

  it("resends a key to an unverified address only, answering the same for any address", async () => {
    const box = withMailbox({ EMAIL_VERIFICATION: "optional" });
    const user = await registerWith(box);
    box.sent.length = 0;
    for (const email of [user.email, "nobody-here@example.com"]) {
      expect(await box.call("POST", "/api/auth/registration/resend-email/", { email })).toMatchObject({ status: 200, body: { detail: "ok" } });
    }
    expect(box.sent.map((mail) => mail.to)).toEqual([user.email]);
    await box.call("POST", "/api/auth/registration/verify-email/", { key: keyIn(box.sent[0]!) });
    box.sent.length = 0;
    expect((await box.call("POST", "/api/auth/registration/resend-email/", { email: user.email })).status).toBe(200);
    expect(box.sent).toEqual([]);
  });
});

describe("email changes with verification on", () => {
  it("keeps the address pending until the new one confirms it, then tells the old one", async () => {
    const box = withMailbox({ EMAIL_VERIFICATION: "optional" });
    const user = await registerWith(box);
    const tokens = (await box.call("POST", "/api/auth/login/", { username: user.username, password: PASSWORD })).body;
    box.sent.length = 0;
    const wanted = `${uniqueName("moved")}@example.com`;
    const patched = await box.call("PATCH", "/api/auth/profile/", { email: wanted, current_password: PASSWORD }, tokens.access);
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ email: user.email, pending_email: wanted, email_verified: false });
    // The change has not happened yet: only the new address hears of it.
    expect(box.sent.map((mail) => [mail.to, mail.subject])).toEqual([[wanted, "Confirm your email address"]]);
    expect(confirmation(box.sent)).toMatchObject({ to: wanted });
    const key = keyIn(confirmation(box.sent));
    box.sent.length = 0;
    const verified = await box.call("POST", "/api/auth/registration/verify-email/", { key });
    expect(verified).toMatchObject({ status: 200, body: { detail: "ok" } });
    expect(box.sent.map((mail) => [mail.to, mail.subject])).toEqual([[user.email, "Your email address was changed"]]);
    expect(box.sent[0]!.text).toContain(wanted);
    const profile = await box.call("GET", "/api/auth/profile/", undefined, tokens.access);
    expect(profile.body).toMatchObject({ email: wanted, pending_email: null, email_verified: true });
  });

  it("refuses the confirmation with the uniqueness message when someone took the address meanwhile", async () => {
    const box = withMailbox({ EMAIL_VERIFICATION: "optional" });
    const user = await registerWith(box);
    const tokens = (await box.call("POST", "/api/auth/login/", { username: user.username, password: PASSWORD })).body;
    box.sent.length = 0;
    const wanted = `${uniqueName("contested")}@example.com`;
    expect((await box.call("PATCH", "/api/auth/profile/", { email: wanted, current_password: PASSWORD }, tokens.access)).status).toBe(200);
    const key = keyIn(confirmation(box.sent));
    const thief = uniqueName("thief");
    expect((await box.call("POST", "/api/auth/register/", { username: thief, email: wanted, password: PASSWORD, password2: PASSWORD })).status).toBe(201);
    const refused = await box.call("POST", "/api/auth/registration/verify-email/", { key });
    expect(refused).toMatchObject({ status: 400, body: { email: ["A user with that email already exists."] } });
    expect((await box.call("GET", "/api/auth/profile/", undefined, tokens.access)).body).toMatchObject({ email: user.email, pending_email: wanted });
  });

  it("changes the address at once with EMAIL_VERIFICATION=none, as the original did", async () => {
    const box = withMailbox({ EMAIL_VERIFICATION: "none" });
    const user = await registerWith(box);
    const tokens = (await box.call("POST", "/api/auth/login/", { username: user.username, password: PASSWORD })).body;
    const wanted = `${uniqueName("direct")}@example.com`;
    expect((await box.call("PATCH", "/api/auth/profile/", { email: wanted, current_password: PASSWORD }, tokens.access)).body).toMatchObject({ email: wanted, pending_email: null });
    // No confirmation with none; the old address is told at once.
    expect(box.sent.map((mail) => [mail.to, mail.subject])).toEqual([[user.email, "Your email address was changed"]]);
  });
});
