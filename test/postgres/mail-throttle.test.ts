/** THROTTLE_EMAIL's reservations on PostgreSQL (src/db/mail-throttle.ts's semantics), and their races. */
import { describe, expect, it } from "vitest";
import type { MailAsk, ThrottleRule } from "../../src/store";
import { makeUser, newStore, rows, uniqueName } from "./store-helpers";

const HOUR = 3_600_000;
const eventsOf = async (key: string) => (await rows<{ n: number }>("select count(*)::int as n from throttle_events where key = $1", [key]))[0]!.n;

/** A password reset's ask, as the service builds it. */
function resetAsk(email: string, from: string, limits: { requester?: number; recipient?: number } = {}): MailAsk & { requester: [ThrottleRule] } {
  return {
    requester: [{ key: `email-from:${from}:${email}`, limit: limits.requester ?? 5, periodMs: HOUR }],
    recipient: { rule: { key: `email-to:${email.toLowerCase()}`, limit: limits.recipient ?? 5, periodMs: HOUR }, account: { holderOf: email }, from },
  };
}

describe("a password reset's mail", () => {
  it("counts against the requester and the recipient, and finds the active holder", async () => {
    const user = await makeUser();
    const ask = resetAsk(user.email.toUpperCase(), "192.0.2.10");
    const now = Date.now();
    const { mail, user: subject } = await newStore().accounts.resetRequest(ask, user.email.toUpperCase(), now);
    expect(mail.slots.map((slot) => slot.key).sort()).toEqual([ask.requester[0].key, ask.recipient!.rule.key].sort());
    expect(mail.counts).toEqual([{ key: ask.requester[0].key, attempts: 1, oldest: now }]);
    expect(subject).toEqual({ id: user.id, username: user.username, password: "hash-1", lastLogin: null, email: user.email });
  });

  it("for an address nobody holds: the requester is counted, the recipient is not, no user", async () => {
    const email = `${uniqueName()}@example.com`;
    const ask = resetAsk(email, "192.0.2.11");
    const { mail, user } = await newStore().accounts.resetRequest(ask, email, Date.now());
    expect(mail.slots.map((slot) => slot.key)).toEqual([ask.requester[0].key]);
    expect(user).toBeUndefined();
    expect(await eventsOf(ask.recipient!.rule.key)).toBe(0);
  });

  it("past the recipient's limit: no mail, unless asked from an address known to the account, which has verified its address", async () => {
    const user = await makeUser();
    const store = newStore();
    const now = Date.now();
    const first = await store.accounts.resetRequest(resetAsk(user.email, "192.0.2.12", { recipient: 1 }), user.email, now);
    expect(first.mail.slots).toHaveLength(2);
    const stranger = await store.accounts.resetRequest(resetAsk(user.email, "192.0.2.13", { recipient: 1 }), user.email, now);
    expect(stranger.mail.slots.map((slot) => slot.key)).toEqual([`email-from:192.0.2.13:${user.email}`]);
    await store.logins.rememberAddress(user.id, "192.0.2.14", now);
    // Known, but the account never verified the address: anyone could have put it on their account.
    const unverified = await store.accounts.resetRequest(resetAsk(user.email, "192.0.2.14", { recipient: 1 }), user.email, now);
    expect(unverified.mail.slots.map((slot) => slot.key)).toEqual([`email-from:192.0.2.14:${user.email}`]);
    await rows("update users set email_verified = true where id = $1", [user.id]);
    const owner = await store.accounts.resetRequest(resetAsk(user.email, "192.0.2.14", { recipient: 1 }), user.email, now);
    expect(owner.mail.slots.map((slot) => slot.key).sort()).toEqual([`email-from:192.0.2.14:${user.email}`, `email-to:${user.email}`].sort());
  });

  it("past the requester's limit: nothing at all is counted, and its window is told", async () => {
    const user = await makeUser();
    const store = newStore();
    const now = Date.now();
    const ask = resetAsk(user.email, "192.0.2.15", { requester: 1 });
    await store.accounts.resetRequest(ask, user.email, now);
    const refused = await store.accounts.resetRequest(ask, user.email, now + 5);
    expect(refused.mail).toEqual({ slots: [], counts: [{ key: ask.requester[0].key, attempts: 1, oldest: now }] });
    expect(await eventsOf(ask.recipient!.rule.key)).toBe(1);
  });

  it("for an inactive holder: no mail, no user", async () => {
    const user = await makeUser();
    await rows("update users set is_active = false where id = $1", [user.id]);
    const ask = resetAsk(user.email, "192.0.2.16");
    const { mail, user: subject } = await newStore().accounts.resetRequest(ask, user.email, Date.now());
    expect(mail.slots.map((slot) => slot.key)).toEqual([ask.requester[0].key]);
    expect(subject).toBeUndefined();
  });

  it("sends at most the recipient's limit under 20 concurrent requests from 20 addresses", async () => {
    const user = await makeUser();
    const now = Date.now();
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => newStore().accounts.resetRequest(resetAsk(user.email, `203.0.113.${i}`, { recipient: 3 }), user.email, now)),
    );
    const sent = results.filter((result) => result.mail.slots.some((slot) => slot.key === `email-to:${user.email}`));
    expect(sent).toHaveLength(3);
    expect(await eventsOf(`email-to:${user.email}`)).toBe(3);
    // Every requester was counted: their own limits were not reached.
    expect(results.every((result) => result.mail.slots.some((slot) => slot.key.startsWith("email-from:")))).toBe(true);
  });

  it("refuses all but the requester's limit under 20 concurrent requests from one address", async () => {
    const user = await makeUser();
    const now = Date.now();
    const ask = resetAsk(user.email, "203.0.113.200", { requester: 4, recipient: 100 });
    const results = await Promise.all(Array.from({ length: 20 }, () => newStore().accounts.resetRequest(ask, user.email, now)));
    expect(results.filter((result) => result.mail.slots.length === 2)).toHaveLength(4);
    expect(results.filter((result) => result.mail.slots.length === 0)).toHaveLength(16);
    expect(await eventsOf(ask.requester[0].key)).toBe(4);
  });
});

describe("a new verification mail", () => {
  const resendAsk = (email: string, from: string, recipientLimit = 5): MailAsk => ({
    requester: [{ key: `email-from:${uniqueName()}`, limit: 5, periodMs: HOUR }],
    recipient: { rule: { key: `email-to:${email}`, limit: recipientLimit, periodMs: HOUR }, account: { holderOf: email, unverified: true }, from, verification: true },
  });

  it("goes only to an unverified active holder", async () => {
    const unverified = await makeUser();
    const verified = await makeUser();
    await rows("update users set email_verified = true where id = $1", [verified.id]);
    for (const [user, goes] of [
      [unverified, true],
      [verified, false],
    ] as const) {
      const { mail, user: found } = await newStore().accounts.resendRequest(resendAsk(user.email, "192.0.2.20"), user.email, Date.now());
      expect(mail.slots.some((slot) => slot.key === `email-to:${user.email}`)).toBe(goes);
      expect(found).toEqual(goes ? { id: user.id, username: user.username, email: user.email } : undefined);
    }
  });

  it("passes the recipient's limit from an address known to the account, the address unverified (the mail verifies it)", async () => {
    const user = await makeUser();
    const store = newStore();
    await store.accounts.resendRequest(resendAsk(user.email, "192.0.2.21", 1), user.email, Date.now());
    expect((await store.accounts.resendRequest(resendAsk(user.email, "192.0.2.22", 1), user.email, Date.now())).mail.slots).toHaveLength(1);
    // 192.0.2.1 is the address the user registered from (store-helpers' makeUser).
    const known = await store.accounts.resendRequest(resendAsk(user.email, "192.0.2.1", 1), user.email, Date.now());
    expect(known.mail.slots.map((slot) => slot.key)).toContain(`email-to:${user.email}`);
  });
});
