/**
 * THROTTLE_EMAIL per recipient: a stranger can spend an address's quota, but never make its
 * owner's request answer 429 and never stop mail asked for from an address the account knows
 * (one it logged in or registered from), so nobody can block someone else's reset or verification.
 */
import { describe, expect, it } from "vitest";
import { PASSWORD, uniqueName } from "./helpers";
import { CONFIRM_SUBJECT, RESET_SUBJECT, from, keyIn, mailbox } from "./mail";
import { dbAll } from "./db";

const SENT = { detail: "Password reset e-mail has been sent." };
const OK = { detail: "ok" };
const THROTTLED = expect.stringMatching(/^Request was throttled\. Expected available in \d+ seconds\.$/);

/** Bob registers from `home` (and, when he may, logs in from there). */
async function bob(box: ReturnType<typeof mailbox>, home: string, { logIn = true } = {}) {
  const username = uniqueName("bob");
  const email = `${username}@example.com`;
  const registered = await box.call("POST", "/api/auth/register/", { body: { username, email, password: PASSWORD, password2: PASSWORD }, headers: from(home) });
  expect(registered.status).toBe(201);
  if (logIn) expect((await box.call("POST", "/api/auth/login/", { body: { username, password: PASSWORD }, headers: from(home) })).status).toBe(200);
  return { username, email };
}

const mailsTo = (box: ReturnType<typeof mailbox>, address: string) => box.sent.filter((mail) => mail.to === address).length;

describe("password reset: the recipient's limit", () => {
  it("never stops bob's own reset from his known address after a stranger's five, and answers the stranger as usual but mails nothing more", async () => {
    const box = mailbox({ THROTTLE_EMAIL: "5/3600" });
    const target = await bob(box, "198.51.100.20");
    for (let i = 0; i < 5; i++) {
      const spent = await box.call("POST", "/api/auth/password/reset/", { body: { email: target.email }, headers: from("203.0.113.5") });
      expect(spent.status).toBe(200);
      expect(spent.body).toEqual(SENT);
    }
    expect(mailsTo(box, target.email)).toBe(5);
    // Another stranger's address: the same answer, and nothing more for bob's inbox.
    const more = await box.call("POST", "/api/auth/password/reset/", { body: { email: target.email }, headers: from("203.0.113.6") });
    expect(more.status).toBe(200);
    expect(more.body).toEqual(SENT);
    expect(mailsTo(box, target.email)).toBe(5);
    // Bob, from home: his reset mail goes.
    const own = await box.call("POST", "/api/auth/password/reset/", { body: { email: target.email }, headers: from("198.51.100.20") });
    expect(own.status).toBe(200);
    expect(own.body).toEqual(SENT);
    expect(mailsTo(box, target.email)).toBe(6);
    expect(box.sent.at(-1)).toMatchObject({ to: target.email, subject: RESET_SUBJECT });
    // The stranger's own address is over its requester limit: that one is a 429.
    const requester = await box.call("POST", "/api/auth/password/reset/", { body: { email: target.email }, headers: from("203.0.113.5") });
    expect(requester.status).toBe(429);
    expect(requester.body).toEqual({ detail: THROTTLED });
    expect(mailsTo(box, target.email)).toBe(6);
  });

  it("counts only mail sent: requests for addresses of no active user spend no recipient quota", async () => {
    const box = mailbox({ THROTTLE_EMAIL: "2/3600" });
    const nobody = `${uniqueName("nobody")}@example.com`;
    for (let i = 0; i < 3; i++) expect((await box.call("POST", "/api/auth/password/reset/", { body: { email: nobody }, headers: from(`203.0.113.${20 + i}`) })).body).toEqual(SENT);
    const { results } = await dbAll("select key from throttle_events where key = ?", `email-to:${nobody}`);
    expect(results).toEqual([]);
    expect(box.sent).toEqual([]);
  });
});

describe("verification mail: the recipient's limit", () => {
  it("never makes bob's resend answer 429 after strangers' resends, and his registration address still gets the mail", async () => {
    const box = mailbox({ EMAIL_VERIFICATION: "optional", THROTTLE_EMAIL: "3/3600" });
    const target = await bob(box, "198.51.100.30", { logIn: false });
    expect(mailsTo(box, target.email)).toBe(1);
    for (let i = 0; i < 4; i++) {
      const stranger = await box.call("POST", "/api/auth/registration/resend-email/", { body: { email: target.email }, headers: from(`203.0.113.${40 + i}`) });
      expect(stranger.status).toBe(200);
      expect(stranger.body).toEqual(OK);
    }
    // The registration's mail and two of the strangers': the window is full.
    expect(mailsTo(box, target.email)).toBe(3);
    const own = await box.call("POST", "/api/auth/registration/resend-email/", { body: { email: target.email }, headers: from("198.51.100.30") });
    expect(own.status).toBe(200);
    expect(own.body).toEqual(OK);
    expect(mailsTo(box, target.email)).toBe(4);
    const key = keyIn(box.sent.at(-1)!);
    expect((await box.call("POST", "/api/auth/registration/verify-email/", { body: { key } })).body).toEqual(OK);
  });

  it("with mandatory, never locks a user out of verification: a correct login from a new address makes it known", async () => {
    const box = mailbox({ EMAIL_VERIFICATION: "mandatory", THROTTLE_EMAIL: "2/3600" });
    const target = await bob(box, "198.51.100.50", { logIn: false });
    for (let i = 0; i < 3; i++) {
      expect((await box.call("POST", "/api/auth/registration/resend-email/", { body: { email: target.email }, headers: from(`203.0.113.${60 + i}`) })).status).toBe(200);
    }
    expect(mailsTo(box, target.email)).toBe(2);
    // Bob has moved: his new address is unknown to the account, so nothing more is sent yet...
    const moved = "198.51.100.51";
    expect((await box.call("POST", "/api/auth/registration/resend-email/", { body: { email: target.email }, headers: from(moved) })).body).toEqual(OK);
    expect(mailsTo(box, target.email)).toBe(2);
    // ...until he proves his password from there (the login is refused, as mandatory says).
    const refused = await box.call("POST", "/api/auth/login/", { body: { username: target.username, password: PASSWORD }, headers: from(moved) });
    expect(refused.status).toBe(400);
    expect(refused.body).toEqual({ non_field_errors: ["E-mail is not verified."] });
    // A wrong password from a stranger's address makes nothing known.
    expect((await box.call("POST", "/api/auth/login/", { body: { username: target.username, password: "not-the-password-9" }, headers: from("203.0.113.69") })).status).toBe(401);
    expect((await box.call("POST", "/api/auth/registration/resend-email/", { body: { email: target.email }, headers: from("203.0.113.69") })).body).toEqual(OK);
    expect(mailsTo(box, target.email)).toBe(2);
    expect((await box.call("POST", "/api/auth/registration/resend-email/", { body: { email: target.email }, headers: from(moved) })).body).toEqual(OK);
    expect(mailsTo(box, target.email)).toBe(3);
    expect((await box.call("POST", "/api/auth/registration/verify-email/", { body: { key: keyIn(box.sent.at(-1)!) } })).body).toEqual(OK);
    expect((await box.call("POST", "/api/auth/login/", { body: { username: target.username, password: PASSWORD }, headers: from(moved) })).status).toBe(200);
  });

  it("covers a registration's own mail by the registration limit: it goes past the address's mail limit and the recipient's", async () => {
    const box = mailbox({ EMAIL_VERIFICATION: "optional", THROTTLE_EMAIL: "1/3600" });
    const address = "198.51.100.80";
    // The address has spent its mail limit on a reset...
    expect((await box.call("POST", "/api/auth/password/reset/", { body: { email: `${uniqueName("x")}@example.com` }, headers: from(address) })).status).toBe(200);
    expect((await box.call("POST", "/api/auth/password/reset/", { body: { email: `${uniqueName("x")}@example.com` }, headers: from(address) })).status).toBe(429);
    // ...and someone has spent the wanted address's quota with an email change to it.
    const wanted = `${uniqueName("fresh")}@example.com`;
    const squatter = await bob(box, "203.0.113.90");
    const token = (await box.call("POST", "/api/auth/login/", { body: { username: squatter.username, password: PASSWORD }, headers: from("203.0.113.90") })).body.access;
    expect((await box.call("PATCH", "/api/auth/profile/", { token, body: { email: wanted, current_password: PASSWORD }, headers: from("203.0.113.90") })).status).toBe(200);
    expect(mailsTo(box, wanted)).toBe(1);
    const username = uniqueName("fresh");
    const registered = await box.call("POST", "/api/auth/register/", { body: { username, email: wanted, password: PASSWORD, password2: PASSWORD }, headers: from(address) });
    expect(registered.status).toBe(201);
    expect(mailsTo(box, wanted)).toBe(2);
    expect(box.sent.at(-1)).toMatchObject({ to: wanted, subject: CONFIRM_SUBJECT });
    expect(box.sent.at(-1)!.text).toContain(username);
  });
});
