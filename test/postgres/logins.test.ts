/** LoginStore on PostgreSQL, and a login racing the writes that end sessions. */
import { describe, expect, it } from "vitest";
import type { ThrottleRule } from "../../src/store";
import { callerOf, makeUser, newStore, openRule, openTransaction, rows, signIn, uniqueName, waits } from "./store-helpers";

const newSession = () => ({ id: uniqueName("session"), jti: uniqueName("jti"), expiresAt: new Date(Date.now() + 86_400_000), userAgent: "agent/1" });
const sessionRow = async (id: string) =>
  (await rows("select user_id::int as user_id, current_jti, created_at, last_used_at, user_agent, revoked_at is not null as revoked from token_families where id = $1", [id]))[0];

describe("begin", () => {
  it("reserves the slots, finds the account in any letter case and starts its session", async () => {
    const user = await makeUser();
    const session = newSession();
    const now = Date.now();
    const rule = openRule();
    const begun = await newStore().logins.begin({ rules: [rule], username: user.username.toUpperCase(), session }, now);
    expect(begun).toEqual({
      reservation: { slots: [expect.any(Number)], counts: [{ key: rule.key, attempts: 1, oldest: now }] },
      account: { id: user.id, password: "hash-1", isActive: true, emailVerified: false, mfaEnabled: false },
      started: true,
    });
    expect(await sessionRow(session.id)).toEqual({
      user_id: user.id, current_jti: session.jti, created_at: new Date(now), last_used_at: new Date(now), user_agent: "agent/1", revoked: false,
    });
  });

  it("starts no session for an unknown name, an inactive account, or a throttled attempt", async () => {
    const user = await makeUser();
    const inactive = await makeUser();
    await rows("update users set is_active = false where id = $1", [inactive.id]);
    const store = newStore();
    const unknown = await store.logins.begin({ rules: [openRule()], username: uniqueName(), session: newSession() }, Date.now());
    expect(unknown.account).toBeUndefined();
    expect(unknown.started).toBe(false);
    const off = await store.logins.begin({ rules: [openRule()], username: inactive.username, session: newSession() }, Date.now());
    expect(off.account).toEqual({ id: inactive.id, password: "hash-1", isActive: false, emailVerified: false, mfaEnabled: false });
    expect(off.started).toBe(false);
    const full: ThrottleRule = { key: uniqueName(), limit: 0, periodMs: 60_000 };
    const session = newSession();
    const throttled = await store.logins.begin({ rules: [full], username: user.username, session }, Date.now());
    expect(throttled).toEqual({ reservation: { slots: [], counts: [] }, account: { id: user.id, password: "hash-1", isActive: true, emailVerified: false, mfaEnabled: false }, started: false });
    expect(await sessionRow(session.id)).toBeUndefined();
  });
});

describe("after the password check", () => {
  it("finish: last login, the upgraded hash, the slots given back, the address known", async () => {
    const user = await makeUser();
    const store = newStore();
    const now = Date.now();
    const rule = openRule();
    const begun = await store.logins.begin({ rules: [rule], username: user.username, session: newSession() }, now);
    await store.signIns.finish(user.id, { upgradedHash: { from: "hash-1", to: "hash-upgraded" }, releaseSlots: begun.reservation.slots, signedInFrom: "192.0.2.50" }, now);
    expect(await rows("select password, last_login from users where id = $1", [user.id])).toEqual([{ password: "hash-upgraded", last_login: new Date(now) }]);
    expect(await rows("select count(*)::int as n from throttle_events where key = $1", [rule.key])).toEqual([{ n: 0 }]);
    expect(await rows("select last_login_at::float8 as at from known_addresses where user_id = $1 and address = $2", [user.id, "192.0.2.50"])).toEqual([{ at: now }]);
    await store.signIns.finish(user.id, { releaseSlots: [], signedInFrom: "192.0.2.50" }, now + 10);
    expect(await rows("select password, last_login_at::float8 as at from users join known_addresses on user_id = id where id = $1 and address = $2", [user.id, "192.0.2.50"])).toEqual([
      { password: "hash-upgraded", at: now + 10 },
    ]);
  });

  it("finish upgrades only the hash the login checked: a password changed meanwhile stays, last login is set", async () => {
    const user = await makeUser();
    const now = Date.now();
    await rows("update users set password = 'hash-changed' where id = $1", [user.id]);
    await newStore().signIns.finish(user.id, { upgradedHash: { from: "hash-1", to: "hash-1-upgraded" }, releaseSlots: [], signedInFrom: "192.0.2.52" }, now);
    expect(await rows("select password, last_login from users where id = $1", [user.id])).toEqual([{ password: "hash-changed", last_login: new Date(now) }]);
  });

  it("finish waits for a password change in progress, and compares the hash that change committed", async () => {
    const user = await makeUser();
    const change = await openTransaction();
    await change.query("select id from users where id = $1 for no key update", [user.id]);
    await change.query("update users set password = 'hash-2' where id = $1", [user.id]);
    const finish = newStore().signIns.finish(user.id, { upgradedHash: { from: "hash-1", to: "hash-1-upgraded" }, releaseSlots: [], signedInFrom: "192.0.2.53" }, Date.now());
    expect(await waits(finish)).toBe(true);
    await change.commit();
    await finish;
    expect(await rows("select password from users where id = $1", [user.id])).toEqual([{ password: "hash-2" }]);
  });

  it("discard removes the session begun; rememberAddress of a user deleted meanwhile does nothing", async () => {
    const user = await makeUser();
    const store = newStore();
    const session = newSession();
    await store.logins.begin({ rules: [openRule()], username: user.username, session }, Date.now());
    await store.logins.discard(session.id);
    expect(await sessionRow(session.id)).toBeUndefined();
    await rows("delete from users where id = $1", [user.id]);
    await store.logins.rememberAddress(user.id, "192.0.2.51", Date.now());
    await store.signIns.finish(user.id, { releaseSlots: [], signedInFrom: "192.0.2.51" }, Date.now());
    expect(await rows("select count(*)::int as n from known_addresses where user_id = $1", [user.id])).toEqual([{ n: 0 }]);
  });
});

describe("a login racing a write that ends every session", () => {
  /** A login's second statement, held before its commit: the account read FOR SHARE and its session inserted. */
  async function loginInProgress(user: { id: number; username: string }) {
    const login = await openTransaction();
    const id = uniqueName("session");
    await login.query("select id from users where lower(username) = lower($1) for share", [user.username]);
    await login.query("insert into token_families (id, user_id, current_jti, created_at, expires_at) values ($1, $2, 'j', now(), now() + interval '1 day')", [id, user.id]);
    return { id, commit: login.commit };
  }

  it("a password change waits for a login that read the old hash, and ends its session", async () => {
    const user = await makeUser();
    const { caller } = await callerOf(user);
    const login = await loginInProgress(user);
    const change = caller.changePassword({ expected: "hash-1", next: "hash-2" }, Date.now());
    expect(await waits(change)).toBe(true);
    await login.commit();
    expect((await change).ended.map((session) => session.id)).toContain(login.id);
    expect((await sessionRow(login.id))!.revoked).toBe(true);
  });

  it("a login waits for a password change in progress, and reads the new hash", async () => {
    const user = await makeUser();
    const change = await openTransaction();
    await change.query("select id from users where id = $1 for no key update", [user.id]);
    await change.query("update users set password = 'hash-2' where id = $1", [user.id]);
    const begin = newStore().logins.begin({ rules: [openRule()], username: user.username, session: newSession() }, Date.now());
    expect(await waits(begin)).toBe(true);
    await change.commit();
    expect((await begin).account!.password).toBe("hash-2");
  });

  it("a reset and a deactivation wait for a login in progress, and end its session", async () => {
    const admin = await makeUser({ staff: true, superuser: true });
    const { caller } = await callerOf(admin);
    for (const write of [
      (user: { id: number }) => newStore().accounts.resetPassword(user.id, { expected: "hash-1", next: "hash-2" }, { key: "k", prefix: "p|" }),
      (user: { id: number }) => caller.admin.changeUser(user.id, { isActive: false }, "staff", Date.now()),
    ]) {
      const user = await makeUser();
      const login = await loginInProgress(user);
      const written = write(user);
      expect(await waits(written)).toBe(true);
      await login.commit();
      expect((await written).ended.map((session) => session.id)).toEqual([login.id]);
    }
  });

  it("a login waits for a deactivation in progress, and starts no session", async () => {
    const user = await makeUser();
    const deactivation = await openTransaction();
    await deactivation.query("select id from users where id = $1 for no key update", [user.id]);
    await deactivation.query("update users set is_active = false where id = $1", [user.id]);
    const begin = newStore().logins.begin({ rules: [openRule()], username: user.username, session: newSession() }, Date.now());
    expect(await waits(begin)).toBe(true);
    await deactivation.commit();
    expect(await begin).toMatchObject({ account: { isActive: false }, started: false });
  });

  it("racing at random: never a session begun on the old hash once the change committed", async () => {
    for (let round = 0; round < 4; round += 1) {
      const user = await makeUser();
      const { caller } = await callerOf(user);
      const session = newSession();
      const [begun] = await Promise.all([
        newStore().logins.begin({ rules: [openRule()], username: user.username, session }, Date.now()),
        caller.changePassword({ expected: "hash-1", next: "hash-2" }, Date.now()),
      ]);
      if (begun.account!.password === "hash-1") expect((await sessionRow(session.id))!.revoked).toBe(true);
      else expect(begun.account!.password).toBe("hash-2");
    }
  });
});
