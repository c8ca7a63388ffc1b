/** AccountStore on PostgreSQL: registration, password reset, email verification. */
import { describe, expect, it } from "vitest";
import type { MailAsk } from "../../src/store";
import { makeUser, newStore, openRule, rows, signIn, uniqueName } from "./store-helpers";

const HOUR = 3_600_000;
const liveSessions = async (userId: number) =>
  (await rows<{ id: string }>("select id from token_families where user_id = $1 and revoked_at is null order by id", [userId])).map((row) => row.id);

describe("registration", () => {
  it("inserts the user, its registration address known to it, and its verification mail counted", async () => {
    const username = uniqueName();
    const now = Date.now();
    const mail = { key: `email-to:${username}@example.com`, limit: 5, periodMs: HOUR };
    const result = await newStore().accounts.register(
      { username, email: `${username}@example.com`, password: "hash", dateJoined: new Date(now) },
      { address: "192.0.2.30", mail },
      now,
    );
    expect(result).toEqual({ id: expect.any(Number) });
    const id = (result as { id: number }).id;
    expect(await rows("select username, email, is_staff, is_superuser, email_verified, first_name, last_name, followers_count from users where id = $1", [id])).toEqual([
      { username, email: `${username}@example.com`, is_staff: false, is_superuser: false, email_verified: false, first_name: "", last_name: "", followers_count: 0 },
    ]);
    expect(await rows("select address, last_login_at::float8 as at from known_addresses where user_id = $1", [id])).toEqual([{ address: "192.0.2.30", at: now }]);
    expect(await rows("select at::float8 as at from throttle_events where key = $1", [mail.key])).toEqual([{ at: now }]);
  });

  it("answers a username or email taken in any letter case, and writes nothing", async () => {
    const user = await makeUser();
    const store = newStore();
    const before = await rows("select count(*)::int as n from users");
    expect(await store.accounts.register({ username: user.username.toUpperCase(), email: "other@example.com", password: "h", dateJoined: new Date() }, { address: "192.0.2.31" }, Date.now())).toEqual({ taken: "username" });
    expect(await store.accounts.register({ username: uniqueName(), email: user.email.toUpperCase(), password: "h", dateJoined: new Date() }, { address: "192.0.2.31" }, Date.now())).toEqual({ taken: "email" });
    expect(await rows("select count(*)::int as n from users")).toEqual(before);
    expect(await rows("select count(*)::int as n from known_addresses where address = '192.0.2.31'")).toEqual([{ n: 0 }]);
  });

  it("lets exactly one of 20 racing registrations of one username in", async () => {
    const username = uniqueName();
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        newStore().accounts.register({ username: i % 2 ? username : username.toUpperCase(), email: `${uniqueName()}@example.com`, password: "h", dateJoined: new Date() }, { address: `192.0.2.${i}` }, Date.now()),
      ),
    );
    expect(results.filter((result) => "id" in result)).toHaveLength(1);
    expect(results.filter((result) => "taken" in result && result.taken === "username")).toHaveLength(19);
    expect(await rows("select count(*)::int as n from users where lower(username) = lower($1)", [username])).toEqual([{ n: 1 }]);
  });

  it("checkRegistration tells which of the username and email are taken", async () => {
    const user = await makeUser();
    const store = newStore();
    const check = (wanted: { username: string; email: string }) => store.accounts.checkRegistration(wanted, [openRule()], Date.now()).then((result) => [...result.taken].sort());
    expect(await check({ username: user.username.toUpperCase(), email: user.email.toUpperCase() })).toEqual(["email", "username"]);
    expect(await check({ username: uniqueName(), email: user.email })).toEqual(["email"]);
    expect(await check({ username: uniqueName(), email: "" })).toEqual([]);
  });
});

describe("password reset", () => {
  it("reads an active user alone", async () => {
    const user = await makeUser();
    const store = newStore();
    expect(await store.accounts.activeUser(user.id)).toEqual({
      id: user.id, username: user.username, password: "hash-1", lastLogin: null, email: user.email, pendingEmail: null, firstName: "", lastName: "",
    });
    await rows("update users set is_active = false where id = $1", [user.id]);
    expect(await store.accounts.activeUser(user.id)).toBeUndefined();
  });

  it("sets the hash over the one checked, ends every session, verifies the address, forgets the username's failed logins", async () => {
    const user = await makeUser();
    const a = await signIn(user);
    const b = await signIn(user);
    const name = user.username.toLowerCase();
    const now = Date.now();
    await rows("insert into throttle_events (key, at) values ($1, $4), ($2, $4), ($3, $4)", [`login-user:${name}`, `login-user-address:${name}|192.0.2.1`, `login-user-address:${name}x|192.0.2.1`, now]);
    const result = await newStore().accounts.resetPassword(user.id, { expected: "hash-1", next: "hash-2" }, { key: `login-user:${name}`, prefix: `login-user-address:${name}|` });
    expect(result.changed).toBe(true);
    expect(result.ended.map((session) => session.id).sort()).toEqual([a.sessionId, b.sessionId].sort());
    expect(result.ended[0]!.expiresAt).toBeInstanceOf(Date);
    expect(await rows("select password, email_verified from users where id = $1", [user.id])).toEqual([{ password: "hash-2", email_verified: true }]);
    expect(await liveSessions(user.id)).toEqual([]);
    // Only this username's keys: a longer name sharing its prefix keeps its own.
    expect(await rows("select key from throttle_events where key like 'login-user%' || $1 || '%' order by key", [name])).toEqual([{ key: `login-user-address:${name}x|192.0.2.1` }]);
  });

  it("changes nothing over a hash that is no longer the one checked", async () => {
    const user = await makeUser();
    const name = user.username.toLowerCase();
    await rows("insert into throttle_events (key, at) values ($1, $2)", [`login-user:${name}`, Date.now()]);
    const result = await newStore().accounts.resetPassword(user.id, { expected: "stale", next: "hash-2" }, { key: `login-user:${name}`, prefix: `login-user-address:${name}|` });
    expect(result.changed).toBe(false);
    expect(await rows("select password from users where id = $1", [user.id])).toEqual([{ password: "hash-1" }]);
    expect(await rows("select count(*)::int as n from throttle_events where key = $1", [`login-user:${name}`])).toEqual([{ n: 1 }]);
  });

  it("lets one of two racing resets with the same token change the hash", async () => {
    const user = await makeUser();
    const reset = (next: string) => newStore().accounts.resetPassword(user.id, { expected: "hash-1", next }, { key: "k", prefix: "p|" });
    const results = await Promise.all([reset("hash-a"), reset("hash-b")]);
    expect(results.filter((result) => result.changed)).toHaveLength(1);
  });
});

describe("email verification", () => {
  it("marks the address verified only while it is still the user's", async () => {
    const user = await makeUser();
    const store = newStore();
    expect(await store.accounts.markEmailVerified(user.id, "someone-else@example.com")).toBe(false);
    expect(await store.accounts.markEmailVerified(user.id, user.email.toUpperCase())).toBe(true);
    expect(await rows("select email_verified from users where id = $1", [user.id])).toEqual([{ email_verified: true }]);
  });

  const confirmation = async () => {
    const user = await makeUser();
    const pending = `${uniqueName()}@example.com`;
    await rows("update users set pending_email = $2 where id = $1", [user.id, pending]);
    const keep = await signIn(user);
    const other = await signIn(user);
    const notice: MailAsk = {
      requester: [{ key: `email-from-user:${user.id}`, limit: 5, periodMs: HOUR }],
      requesterUnchecked: true,
      recipient: { rule: { key: `email-to:${user.email}`, limit: 5, periodMs: HOUR }, account: { id: user.id, pending }, from: "192.0.2.40" },
    };
    return { user, pending, keep, other, notice };
  };

  it("confirms a pending address: it becomes the email, every other session ends, the old address's notice is counted", async () => {
    const { user, pending, keep, other, notice } = await confirmation();
    const result = await newStore().accounts.confirmPendingEmail({ id: user.id, pending: pending.toUpperCase(), keepSession: keep.sessionId, notice }, Date.now());
    expect(result).toEqual({ confirmed: true, ended: [{ id: other.sessionId, expiresAt: expect.any(Date) }], noticeGoes: true });
    expect(await rows("select email, pending_email, email_verified from users where id = $1", [user.id])).toEqual([{ email: pending.toUpperCase(), pending_email: null, email_verified: true }]);
    expect(await liveSessions(user.id)).toEqual([keep.sessionId]);
    expect(await rows("select key from throttle_events where key like 'email-%' and (key = $1 or key = $2) order by key", [`email-from-user:${user.id}`, `email-to:${user.email}`])).toHaveLength(2);
  });

  it("of racing confirmations, one acts: one ends sessions and counts one notice", async () => {
    const { user, pending, keep, notice } = await confirmation();
    const results = await Promise.all(
      Array.from({ length: 5 }, () => newStore().accounts.confirmPendingEmail({ id: user.id, pending, keepSession: keep.sessionId, notice }, Date.now())),
    );
    expect(results.filter((result) => !("taken" in result) && result.confirmed)).toHaveLength(1);
    expect(results.filter((result) => !("taken" in result) && result.noticeGoes)).toHaveLength(1);
    expect(results.flatMap((result) => ("taken" in result ? [] : result.ended))).toHaveLength(1);
    expect(await rows("select count(*)::int as n from throttle_events where key = $1", [`email-to:${user.email}`])).toEqual([{ n: 1 }]);
  });

  it("answers a pending address taken meanwhile, and changes nothing", async () => {
    const { user, pending, keep, notice } = await confirmation();
    await makeUser({ email: pending.toUpperCase() });
    const result = await newStore().accounts.confirmPendingEmail({ id: user.id, pending, keepSession: keep.sessionId, notice }, Date.now());
    expect(result).toEqual({ taken: "email" });
    expect(await rows("select email, pending_email from users where id = $1", [user.id])).toEqual([{ email: user.email, pending_email: pending }]);
    expect((await liveSessions(user.id)).length).toBe(2);
    expect(await rows("select count(*)::int as n from throttle_events where key = $1", [`email-to:${user.email}`])).toEqual([{ n: 0 }]);
  });
});
