/** ProfileStore on PostgreSQL: the read before an update, and the update with its effects. */
import { describe, expect, it } from "vitest";
import { CallerRefused, type MailAsk } from "../../src/store";
import { callerOf, makeUser, openTransaction, rows, signIn, uniqueName, waits } from "./store-helpers";

const HOUR = 3_600_000;

describe("prepare", () => {
  it("tells other holders of the wanted username and email, never the caller", async () => {
    const user = await makeUser();
    const other = await makeUser();
    const { caller } = await callerOf(user);
    const mine = await caller.profile.prepare({ username: user.username.toUpperCase(), email: user.email }, undefined, Date.now());
    expect([...mine.taken]).toEqual([]);
    expect(mine.caller.id).toBe(user.id);
    const theirs = await caller.profile.prepare({ username: other.username, email: other.email.toUpperCase() }, undefined, Date.now());
    expect([...theirs.taken].sort()).toEqual(["email", "username"]);
    expect(theirs.password).toBeUndefined();
  });

  it("with an email change, reserves the password's and the mail's slots, each on its own", async () => {
    const user = await makeUser();
    const { caller } = await callerOf(user);
    const password = [{ key: `password-check:${user.id}`, limit: 1, periodMs: 60_000 }];
    const mail: MailAsk = { requester: [{ key: `email-from-user:${user.id}`, limit: 5, periodMs: HOUR }] };
    const now = Date.now();
    const first = await caller.profile.prepare({ email: "new@example.com" }, { password, mail }, now);
    expect(first.password).toEqual({ slots: [expect.any(Number)], counts: [{ key: password[0]!.key, attempts: 1, oldest: now }] });
    expect(first.mail).toEqual({ slots: [{ id: expect.any(Number), key: mail.requester[0]!.key }], counts: [{ key: mail.requester[0]!.key, attempts: 1, oldest: now }] });
    const second = await caller.profile.prepare({ email: "new@example.com" }, { password, mail }, now + 1);
    expect(second.password!.slots).toEqual([]);
    expect(second.mail!.slots).toHaveLength(1);
  });
});

describe("update", () => {
  it("answers the row before and after, and gives slots back in the same write", async () => {
    const user = await makeUser();
    await rows("update users set profile_picture = 'profile_pics/old.png' where id = $1", [user.id]);
    const { caller } = await callerOf(user);
    const { reservation } = await caller.reserve([{ key: `password-check:${user.id}`, limit: 5, periodMs: 60_000 }], Date.now());
    const result = await caller.profile.update({ bio: "hello", profilePicture: "profile_pics/new.png", firstName: "Ann" }, { releaseSlots: reservation.slots }, Date.now());
    expect("taken" in result).toBe(false);
    if ("taken" in result) return;
    expect(result.caller.profilePicture).toBe("profile_pics/old.png");
    expect(result.user).toMatchObject({ id: user.id, bio: "hello", profilePicture: "profile_pics/new.png", firstName: "Ann", dateJoined: expect.any(Date) });
    expect(result).toMatchObject({ ended: [], mailGoes: false });
    expect(await rows("select count(*)::int as n from throttle_events where key = $1", [`password-check:${user.id}`])).toEqual([{ n: 0 }]);
  });

  it("changes the email, ends every other session and counts the old address's notice, together", async () => {
    const user = await makeUser();
    const { identity, caller } = await callerOf(user);
    const other = await signIn(user);
    const mail: MailAsk = { requester: [], recipient: { rule: { key: `email-to:${user.email}`, limit: 5, periodMs: HOUR }, account: { id: user.id }, from: "192.0.2.60" } };
    const email = `${uniqueName()}@example.com`;
    const result = await caller.profile.update({ email }, { endOtherSessions: true, mail }, Date.now());
    expect(result).toMatchObject({ user: { email }, ended: [{ id: other.sessionId, expiresAt: expect.any(Date) }], mailGoes: true });
    expect(await rows("select id from token_families where user_id = $1 and revoked_at is null", [user.id])).toEqual([{ id: identity.sessionId }]);
  });

  it("answers an email taken meanwhile, and writes nothing", async () => {
    const user = await makeUser();
    const { caller } = await callerOf(user);
    const other = await makeUser();
    await signIn(user);
    const { reservation } = await caller.reserve([{ key: `password-check:${user.id}`, limit: 5, periodMs: 60_000 }], Date.now());
    const mail: MailAsk = { requester: [], recipient: { rule: { key: `email-to:${user.email}`, limit: 5, periodMs: HOUR }, account: { id: user.id } } };
    const result = await caller.profile.update({ email: other.email.toUpperCase() }, { releaseSlots: reservation.slots, endOtherSessions: true, mail }, Date.now());
    expect(result).toEqual({ taken: "email" });
    expect(await rows("select email from users where id = $1", [user.id])).toEqual([{ email: user.email }]);
    expect(await rows("select count(*)::int as n from token_families where user_id = $1 and revoked_at is null", [user.id])).toEqual([{ n: 2 }]);
    expect(await rows("select count(*)::int as n from throttle_events where key in ($1, $2)", [`password-check:${user.id}`, `email-to:${user.email}`])).toEqual([{ n: 1 }]);
  });

  it("tells an update the picture it replaced, even one a concurrent update wrote while it waited", async () => {
    const user = await makeUser();
    await rows("update users set profile_picture = 'profile_pics/0.png' where id = $1", [user.id]);
    const { caller } = await callerOf(user);
    const concurrent = await openTransaction();
    await concurrent.query("update users set profile_picture = 'profile_pics/a.png' where id = $1", [user.id]);
    const update = caller.profile.update({ profilePicture: "profile_pics/b.png" }, {}, Date.now());
    expect(await waits(update)).toBe(true);
    await concurrent.commit();
    const result = await update;
    // The row before this update held a.png (the service deletes it): 0.png was the concurrent update's to delete.
    expect("taken" in result ? undefined : [result.caller.profilePicture, result.user.profilePicture]).toEqual(["profile_pics/a.png", "profile_pics/b.png"]);
  });
});

describe("an update racing the end of its session", () => {
  it("waits for a password change in progress, and is refused once it ended the session, writing nothing", async () => {
    const user = await makeUser();
    const { caller } = await callerOf(user);
    const change = await openTransaction();
    await change.query("select id from users where id = $1 for no key update", [user.id]);
    await change.query("update users set password = 'hash-2' where id = $1", [user.id]);
    await change.query("update token_families set revoked_at = now() where user_id = $1", [user.id]);
    const update = caller.profile.update({ bio: "late" }, {}, Date.now());
    expect(await waits(update)).toBe(true);
    await change.commit();
    await expect(update).rejects.toEqual(new CallerRefused("session_ended"));
    expect(await rows("select bio from users where id = $1", [user.id])).toEqual([{ bio: null }]);
  });
});

describe("the old address's notice", () => {
  const notice = (user: { id: number; email: string }): MailAsk => ({
    requester: [],
    recipient: { rule: { key: `email-to:${user.email}`, limit: 5, periodMs: HOUR }, account: { id: user.id, holding: user.email }, from: "192.0.2.61" },
  });

  it("is counted while the row still holds the address", async () => {
    const user = await makeUser();
    const { caller } = await callerOf(user);
    const result = await caller.profile.update({ email: `${uniqueName()}@example.com`, emailVerified: false }, { endOtherSessions: true, mail: notice(user) }, Date.now());
    expect(result).toMatchObject({ caller: { email: user.email }, user: { emailVerified: false }, mailGoes: true });
  });

  it("is not counted when a concurrent change replaced the address while the update waited", async () => {
    const user = await makeUser();
    const { caller } = await callerOf(user);
    const concurrent = await openTransaction();
    const meanwhile = `${uniqueName()}@example.com`;
    await concurrent.query("update users set email = $2 where id = $1", [user.id, meanwhile]);
    const update = caller.profile.update({ email: `${uniqueName()}@example.com` }, { endOtherSessions: true, mail: notice(user) }, Date.now());
    expect(await waits(update)).toBe(true);
    await concurrent.commit();
    // The row before held the concurrent change's address: the service counts that notice itself (countMail).
    expect(await update).toMatchObject({ caller: { email: meanwhile }, mailGoes: false });
    expect(await rows("select count(*)::int as n from throttle_events where key = $1", [`email-to:${user.email}`])).toEqual([{ n: 0 }]);
  });
});

describe("countMail", () => {
  it("counts a mail with the caller", async () => {
    const user = await makeUser();
    const { caller } = await callerOf(user);
    const ask: MailAsk = { requester: [], recipient: { rule: { key: `email-to:${uniqueName()}@example.com`, limit: 1, periodMs: HOUR } } };
    const first = await caller.countMail(ask, Date.now());
    expect(first).toMatchObject({ caller: { id: user.id }, mail: { slots: [{ key: ask.recipient!.rule.key }], counts: [] } });
    expect((await caller.countMail(ask, Date.now())).mail.slots).toEqual([]);
  });
});
