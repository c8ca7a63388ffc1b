/**
 * THROTTLE_EMAIL: every mail counts against whoever asked for it (a client address, a signed-in
 * user: past it, 429) and against its recipient's mailbox. A stranger can spend an address's
 * quota, but never make its owner's request answer 429 and never stop mail asked for from an
 * address the account knows (one it logged in or registered from) to the address it has verified,
 * so nobody can block someone else's reset or verification; and no account can pass a stranger's
 * address through its own known addresses.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { PASSWORD, newProfile, signedInUser, uniqueName } from "./helpers";
import {
  CONFIRM_SUBJECT,
  MODES,
  NOTICE_SUBJECT,
  RESET_SUBJECT,
  accountState,
  bucketKeys,
  from,
  keyIn,
  mailbox,
  markVerified,
  ownerWithTwoSessions,
  picturePatch,
} from "./mail";
import { dbAll } from "./db";

type Box = ReturnType<typeof mailbox>;

const SENT = { detail: "Password reset e-mail has been sent." };
const OK = { detail: "ok" };
const THROTTLED = expect.stringMatching(/^Request was throttled\. Expected available in \d+ seconds\.$/);

/** Bob registers from `home` (and, when he may, logs in from there; when asked, he has verified his address). */
async function bob(box: Box, home: string, { logIn = true, verified = false } = {}) {
  const username = uniqueName("bob");
  const email = `${username}@example.com`;
  const registered = await box.call("POST", "/api/auth/register/", { body: { username, email, password: PASSWORD, password2: PASSWORD }, headers: from(home) });
  expect(registered.status).toBe(201);
  if (logIn) expect((await box.call("POST", "/api/auth/login/", { body: { username, password: PASSWORD }, headers: from(home) })).status).toBe(200);
  if (verified) await markVerified(username);
  return { username, email };
}

const ASKS = {
  reset: { path: "/api/auth/password/reset/", answer: SENT },
  resend: { path: "/api/auth/registration/resend-email/", answer: OK },
} as const;

/** Asks for a reset or a verification mail for `email` from `address`: answered as usual, whether or not it is sent. */
async function ask(box: Box, kind: keyof typeof ASKS, email: string, address: string) {
  const response = await box.call("POST", ASKS[kind].path, { body: { email }, headers: from(address) });
  expect(response.status).toBe(200);
  expect(response.body).toEqual(ASKS[kind].answer);
}

/** Strangers spend `email`'s quota: one request from each of `addresses` (repeat one to ask from it again). The owner asks next. */
async function strangersSpend(box: Box, kind: keyof typeof ASKS, email: string, addresses: string[]) {
  for (const address of addresses) await ask(box, kind, email, address);
}

/** An email change of `user` to `email`, from `address` (the one they registered and logged in from unless given). */
const changeEmail = (box: Box, user: { access: string }, email: string, address?: string) =>
  box.call("PATCH", "/api/auth/profile/", { token: user.access, body: { email, current_password: PASSWORD }, ...(address ? { headers: from(address) } : {}) });

const mailsTo = (box: Box, address: string) => box.sent.filter((mail) => mail.to === address).length;

describe("password reset: the recipient's limit", () => {
  it("never stops bob's own reset from his known address after a stranger's five, and answers the stranger as usual but mails nothing more", async () => {
    const box = mailbox({ THROTTLE_EMAIL: "5/3600" });
    const target = await bob(box, "198.51.100.20", { verified: true });
    await strangersSpend(box, "reset", target.email, Array(5).fill("203.0.113.5"));
    expect(mailsTo(box, target.email)).toBe(5);
    // Another stranger's address: the same answer, and nothing more for bob's inbox.
    await ask(box, "reset", target.email, "203.0.113.6");
    expect(mailsTo(box, target.email)).toBe(5);
    // Bob, from home: his reset mail goes.
    await ask(box, "reset", target.email, "198.51.100.20");
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
    await strangersSpend(box, "reset", nobody, ["203.0.113.20", "203.0.113.21", "203.0.113.22"]);
    const { results } = await dbAll("select key from throttle_events where key = ?", `email-to:${nobody}`);
    expect(results).toEqual([]);
    expect(box.sent).toEqual([]);
  });

  it("never lets an account holding an address it has not verified pass its resets through the addresses it knows", async () => {
    const box = mailbox({ THROTTLE_EMAIL: "2/3600" });
    // Someone registers with an address that is not theirs (EMAIL_VERIFICATION=none: nobody confirms it) and signs in from four places.
    const homes = ["198.51.100.120", "198.51.100.121", "198.51.100.122", "198.51.100.123"];
    const squatter = await bob(box, homes[0]!);
    for (const home of homes.slice(1)) expect((await box.call("POST", "/api/auth/login/", { body: { username: squatter.username, password: PASSWORD }, headers: from(home) })).status).toBe(200);
    for (const home of homes) await ask(box, "reset", squatter.email, home);
    expect(mailsTo(box, squatter.email)).toBe(2);
    // Once the account has verified the address (the mailbox is its own), its known addresses pass again.
    await markVerified(squatter.username);
    await ask(box, "reset", squatter.email, homes[0]!);
    expect(mailsTo(box, squatter.email)).toBe(3);
  });
});

describe("verification mail: the recipient's limit", () => {
  it("never makes bob's resend answer 429 after strangers' resends, and his registration address still gets the mail", async () => {
    const box = mailbox({ EMAIL_VERIFICATION: "optional", THROTTLE_EMAIL: "3/3600" });
    const target = await bob(box, "198.51.100.30", { logIn: false });
    expect(mailsTo(box, target.email)).toBe(1);
    await strangersSpend(box, "resend", target.email, ["203.0.113.40", "203.0.113.41", "203.0.113.42", "203.0.113.43"]);
    // The registration's mail and two of the strangers': the window is full.
    expect(mailsTo(box, target.email)).toBe(3);
    await ask(box, "resend", target.email, "198.51.100.30");
    expect(mailsTo(box, target.email)).toBe(4);
    const key = keyIn(box.sent.at(-1)!);
    expect((await box.call("POST", "/api/auth/registration/verify-email/", { body: { key } })).body).toEqual(OK);
  });

  it("with mandatory, never locks a user out of verification: a correct login from a new address makes it known", async () => {
    const box = mailbox({ EMAIL_VERIFICATION: "mandatory", THROTTLE_EMAIL: "2/3600" });
    const target = await bob(box, "198.51.100.50", { logIn: false });
    await strangersSpend(box, "resend", target.email, ["203.0.113.60", "203.0.113.61", "203.0.113.62"]);
    expect(mailsTo(box, target.email)).toBe(2);
    // Bob has moved: his new address is unknown to the account, so nothing more is sent yet...
    const moved = "198.51.100.51";
    await ask(box, "resend", target.email, moved);
    expect(mailsTo(box, target.email)).toBe(2);
    // ...until he proves his password from there (the login is refused, as mandatory says).
    const refused = await box.call("POST", "/api/auth/login/", { body: { username: target.username, password: PASSWORD }, headers: from(moved) });
    expect(refused.status).toBe(400);
    expect(refused.body).toEqual({ non_field_errors: ["E-mail is not verified."] });
    // A wrong password from a stranger's address makes nothing known.
    expect((await box.call("POST", "/api/auth/login/", { body: { username: target.username, password: "not-the-password-9" }, headers: from("203.0.113.69") })).status).toBe(401);
    await ask(box, "resend", target.email, "203.0.113.69");
    expect(mailsTo(box, target.email)).toBe(2);
    await ask(box, "resend", target.email, moved);
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

describe("mail of email changes counts against THROTTLE_EMAIL", () => {
  for (const mode of MODES) {
    it(`answers 429 past the requesting user's limit (EMAIL_VERIFICATION=${mode}) and changes nothing`, async () => {
      const owner = await ownerWithTwoSessions();
      const box = mailbox({ EMAIL_VERIFICATION: mode, THROTTLE_EMAIL: "2/3600" });
      for (let i = 0; i < 2; i++) {
        const wanted = `${uniqueName(`hop${i}`)}@example.com`;
        expect((await box.call("PATCH", "/api/auth/profile/", { token: owner.access, body: { email: wanted, current_password: PASSWORD } })).status).toBe(200);
      }
      const before = await accountState(owner.id);
      const sent = box.sent.length;
      expect(sent).toBe(2);
      const keys = await bucketKeys();
      const refused = await box.call("PATCH", "/api/auth/profile/", {
        token: owner.access,
        body: picturePatch({ email: `${uniqueName("third")}@example.com`, bio: "third", current_password: PASSWORD }),
      });
      expect(refused.status).toBe(429);
      const wait = Number(refused.headers.get("Retry-After"));
      expect(wait).toBeGreaterThan(3500);
      expect(refused.body).toEqual({ detail: `Request was throttled. Expected available in ${wait} seconds.` });
      expect(await accountState(owner.id)).toEqual(before);
      expect(await bucketKeys()).toEqual(keys);
      expect(box.sent).toHaveLength(sent);
      // The limit is the user's: another user changes their email as usual.
      const other = await signedInUser();
      expect((await box.call("PATCH", "/api/auth/profile/", { token: other.access, body: { email: `${uniqueName("free")}@example.com`, current_password: PASSWORD } })).status).toBe(200);
    });
  }

  it("charges a confirmation's notice to the user who asked, and never withholds it for that user's limit", async () => {
    const owner = await ownerWithTwoSessions();
    const box = mailbox({ EMAIL_VERIFICATION: "optional", THROTTLE_EMAIL: "2/3600" });
    const [first, second] = [`${uniqueName("first")}@example.com`, `${uniqueName("second")}@example.com`];
    for (const wanted of [first, second]) {
      expect((await box.call("PATCH", "/api/auth/profile/", { token: owner.access, body: { email: wanted, current_password: PASSWORD } })).status).toBe(200);
    }
    expect(box.envelopes()).toEqual([[first, CONFIRM_SUBJECT], [second, CONFIRM_SUBJECT]].sort());
    const key = keyIn(box.sent.find((mail) => mail.to === second)!);
    box.sent.length = 0;
    // The user's two mails are spent, but the change is done: its notice goes.
    expect((await box.call("POST", "/api/auth/registration/verify-email/", { body: { key } })).status).toBe(200);
    expect(box.envelopes()).toEqual([[owner.email, NOTICE_SUBJECT]]);
    const { results } = await dbAll("select count(*) as n from throttle_events where key = ?", `email-from-user:${owner.id}`);
    expect(results).toEqual([{ n: 3 }]);
    const refused = await box.call("PATCH", "/api/auth/profile/", { token: owner.access, body: { email: `${uniqueName("third")}@example.com`, current_password: PASSWORD } });
    expect(refused.status).toBe(429);
  });

  it("lets exactly the limit of concurrent email changes through", async () => {
    const owner = await ownerWithTwoSessions();
    const box = mailbox({ EMAIL_VERIFICATION: "optional", THROTTLE_EMAIL: "2/3600", THROTTLE_PASSWORD_CHECK: "100/900" });
    const responses = await Promise.all(
      Array.from({ length: 6 }, (_, i) => box.call("PATCH", "/api/auth/profile/", { token: owner.access, body: { email: `${uniqueName(`race${i}`)}@example.com`, current_password: PASSWORD } })),
    );
    expect(responses.map((r) => r.status).sort()).toEqual([200, 200, 429, 429, 429, 429]);
    expect(box.sent).toHaveLength(2);
  });

  it("sends no more confirmations to an address past its recipient limit, answering as usual", async () => {
    const victim = `${uniqueName("victim")}@example.com`;
    const box = mailbox({ EMAIL_VERIFICATION: "optional", THROTTLE_EMAIL: "2/3600" });
    for (let i = 0; i < 3; i++) {
      const spammer = await signedInUser();
      const asked = await box.call("PATCH", "/api/auth/profile/", { token: spammer.access, body: { email: victim, current_password: PASSWORD } });
      expect(asked.status).toBe(200);
      expect(asked.body).toEqual({ ...newProfile(spammer), pending_email: victim });
    }
    expect(box.sent.map((mail) => mail.to)).toEqual([victim, victim]);
  });

  it("tells the old address past its recipient limit only from an address known to the account", async () => {
    const box = mailbox({ EMAIL_VERIFICATION: "none", THROTTLE_EMAIL: "2/3600" });
    // Two owners who have verified their addresses, which a stranger has spent (two resets each, from elsewhere).
    const owners = [await ownerWithTwoSessions(), await ownerWithTwoSessions()];
    for (const owner of owners) {
      await markVerified(owner.username);
      await strangersSpend(box, "reset", owner.email, ["203.0.113.70", "203.0.113.71"]);
    }
    box.sent.length = 0;
    // From an address the first account never used: the change is made and answered as usual, unmailed.
    const [far, near] = owners as [Awaited<ReturnType<typeof ownerWithTwoSessions>>, Awaited<ReturnType<typeof ownerWithTwoSessions>>];
    const farAddress = `${uniqueName("far")}@example.com`;
    const unmailed = await box.call("PATCH", "/api/auth/profile/", { token: far.access, body: { email: farAddress, current_password: PASSWORD }, headers: from("203.0.113.61") });
    expect(unmailed.status).toBe(200);
    expect(unmailed.body).toEqual({ ...newProfile({ ...far, email: farAddress }) });
    expect(box.sent).toEqual([]);
    // From the address the second account logged in from, the notice goes whatever the count.
    const nearAddress = `${uniqueName("near")}@example.com`;
    const mailed = await box.call("PATCH", "/api/auth/profile/", { token: near.access, body: { email: nearAddress, current_password: PASSWORD } });
    expect(mailed.status).toBe(200);
    expect(box.envelopes()).toEqual([[near.email, NOTICE_SUBJECT]]);
  });

  it("never lets throwaway accounts tell an address they took more than its limit, from the addresses they know (EMAIL_VERIFICATION=none)", async () => {
    const box = mailbox({ EMAIL_VERIFICATION: "none", THROTTLE_EMAIL: "2/3600" });
    const victim = `${uniqueName("victim")}@example.com`;
    for (let i = 0; i < 4; i++) {
      // An account signs in, takes the victim's address and leaves it: the old address's notice goes to the victim.
      const spammer = await signedInUser();
      const taken = await changeEmail(box, spammer, victim);
      expect(taken.status).toBe(200);
      expect(taken.body).toEqual(newProfile({ ...spammer, email: victim }));
      const away = `${uniqueName("away")}@example.com`;
      const left = await changeEmail(box, spammer, away);
      expect(left.status).toBe(200);
      expect(left.body).toEqual(newProfile({ ...spammer, email: away }));
    }
    expect(mailsTo(box, victim)).toBe(2);
  });

  it("with none, leaves a new address unverified: an account that verified its own cannot lend that to a stranger's address", async () => {
    const box = mailbox({ EMAIL_VERIFICATION: "none", THROTTLE_EMAIL: "2/3600" });
    const victim = `${uniqueName("victim")}@example.com`;
    const [answers, expected]: [unknown[], unknown[]] = [[], []];
    for (let i = 0; i < 4; i++) {
      // As above, by accounts that have verified their own address first (a reset of their own mailbox does it).
      const spammer = await signedInUser();
      await markVerified(spammer.username);
      for (const email of [victim, `${uniqueName("away")}@example.com`]) {
        const { status, body } = await changeEmail(box, spammer, email);
        answers.push({ status, body });
        expected.push({ status: 200, body: newProfile({ ...spammer, email }) });
      }
    }
    expect(mailsTo(box, victim)).toBe(2);
    expect(answers).toEqual(expected);
  });

  it("counts the variants of one mailbox (+tags; for Gmail, dots and googlemail.com) against one recipient limit, mailing each as written", async () => {
    const box = mailbox({ EMAIL_VERIFICATION: "optional", THROTTLE_EMAIL: "2/3600" });
    const name = uniqueName("victim");
    const dotted = `${name.slice(0, 1)}.${name.slice(1)}`;
    const variants = [`${name}+1@gmail.com`, `${name}+2@googlemail.com`, `${dotted}@gmail.com`, `${dotted}@example.com`];
    for (const variant of variants) {
      const spammer = await signedInUser();
      const asked = await changeEmail(box, spammer, variant);
      expect(asked.status).toBe(200);
      expect(asked.body).toEqual({ ...newProfile(spammer), pending_email: variant });
    }
    // The third is the first two's mailbox; outside Gmail a dot makes another mailbox.
    expect(box.sent.map((mail) => mail.to)).toEqual([variants[0], variants[1], variants[3]]);
  });

  it("gives the user's mail slot back when the recipient's limit withholds the confirmation: the limit's count of changes still goes", async () => {
    const box = mailbox({ EMAIL_VERIFICATION: "optional", THROTTLE_EMAIL: "2/3600" });
    const victim = `${uniqueName("victim")}@example.com`;
    for (let i = 0; i < 2; i++) expect((await changeEmail(box, await signedInUser(), victim)).status).toBe(200);
    const owner = await signedInUser();
    const withheld = await changeEmail(box, owner, victim);
    expect(withheld.status).toBe(200);
    expect(withheld.body).toEqual({ ...newProfile(owner), pending_email: victim });
    expect(mailsTo(box, victim)).toBe(2);
    for (let i = 0; i < 2; i++) {
      const wanted = `${uniqueName("mine")}@example.com`;
      const asked = await changeEmail(box, owner, wanted);
      expect(asked.status).toBe(200);
      expect(asked.body).toEqual({ ...newProfile(owner), pending_email: wanted });
      expect(box.sent.at(-1)).toMatchObject({ to: wanted, subject: CONFIRM_SUBJECT });
    }
  });

  it("gives the user's mail slot back when the recipient's limit withholds the notice: the limit's count of changes still goes", async () => {
    const box = mailbox({ EMAIL_VERIFICATION: "none", THROTTLE_EMAIL: "2/3600" });
    const owner = await signedInUser();
    await strangersSpend(box, "reset", owner.email, ["203.0.113.80", "203.0.113.81"]);
    let current = `${uniqueName("moved")}@example.com`;
    const withheld = await changeEmail(box, owner, current, "203.0.113.82");
    expect(withheld.status).toBe(200);
    expect(withheld.body).toEqual(newProfile({ ...owner, email: current }));
    expect(box.envelopes()).toEqual([[owner.email, RESET_SUBJECT], [owner.email, RESET_SUBJECT]]);
    for (let i = 0; i < 2; i++) {
      const wanted = `${uniqueName("moved")}@example.com`;
      const changed = await changeEmail(box, owner, wanted);
      expect(changed.status).toBe(200);
      expect(changed.body).toEqual(newProfile({ ...owner, email: wanted }));
      expect(box.sent.at(-1)).toMatchObject({ to: current, subject: NOTICE_SUBJECT });
      current = wanted;
    }
  });
});
