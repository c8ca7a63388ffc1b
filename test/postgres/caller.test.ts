/** A signed-in caller's own work on PostgreSQL: password checks and changes, sessions, known addresses, deletion. */
import { describe, expect, it } from "vitest";
import { CallerRefused, type ThrottleRule } from "../../src/store";
import { callerOf, makeUser, newStore, rows, signIn } from "./store-helpers";

const live = async (userId: number) =>
  (await rows<{ id: string }>("select id from token_families where user_id = $1 and revoked_at is null order by id", [userId])).map((row) => row.id);

describe("reserve (a check of the current password)", () => {
  it("reserves with the caller, and refuses past the limit", async () => {
    const user = await makeUser();
    const { caller } = await callerOf(user);
    const rule: ThrottleRule = { key: `password-check:${user.id}`, limit: 1, periodMs: 60_000 };
    const now = Date.now();
    const first = await caller.reserve([rule], now);
    expect(first.caller.id).toBe(user.id);
    expect(first.reservation).toEqual({ slots: [expect.any(Number)], counts: [{ key: rule.key, attempts: 1, oldest: now }] });
    expect((await caller.reserve([rule], now + 1)).reservation).toEqual({ slots: [], counts: [{ key: rule.key, attempts: 1, oldest: now }] });
  });

  it("grants at most the limit to 20 concurrent checks of one caller", async () => {
    const user = await makeUser();
    const identity = await signIn(user);
    const rule: ThrottleRule = { key: `password-check:${user.id}`, limit: 5, periodMs: 60_000 };
    const results = await Promise.all(Array.from({ length: 20 }, () => newStore().caller(identity).reserve([rule], Date.now())));
    expect(results.filter((result) => result.reservation.slots.length > 0)).toHaveLength(5);
  });
});

describe("changePassword", () => {
  it("sets the hash over the one checked and ends every session", async () => {
    const user = await makeUser();
    const { caller } = await callerOf(user);
    await signIn(user);
    const result = await caller.changePassword({ expected: "hash-1", next: "hash-2" }, Date.now());
    expect(result.changed).toBe(true);
    expect(result.ended).toHaveLength(2);
    expect(await live(user.id)).toEqual([]);
    expect(await rows("select password from users where id = $1", [user.id])).toEqual([{ password: "hash-2" }]);
  });

  it("changes nothing over a stale hash", async () => {
    const user = await makeUser();
    const identity = await signIn(user);
    expect((await newStore().caller(identity).changePassword({ expected: "stale", next: "x" }, Date.now())).changed).toBe(false);
    expect(await rows("select password from users where id = $1", [user.id])).toEqual([{ password: "hash-1" }]);
  });

  it("of two racing changes from two sessions, one wins and the other is refused: its session ended with the first", async () => {
    const user = await makeUser();
    const sessions = [await signIn(user), await signIn(user)];
    const results = await Promise.all(
      sessions.map((identity, i) => newStore().caller(identity).changePassword({ expected: "hash-1", next: `hash-${i + 2}` }, Date.now()).catch((error: Error) => error)),
    );
    expect(results.filter((result) => !(result instanceof Error) && result.changed)).toHaveLength(1);
    expect(results.filter((result) => result instanceof CallerRefused && result.reason === "session_ended")).toHaveLength(1);
  });
});

describe("sessions", () => {
  it("lists live sessions newest first, ends one of the caller's, never another's", async () => {
    const user = await makeUser();
    const other = await makeUser();
    const { identity, caller } = await callerOf(user);
    const second = await signIn(user);
    await rows("update token_families set created_at = created_at + interval '1 second' where id = $1", [second.sessionId]);
    const foreign = await signIn(other);
    const listed = await caller.sessions.list(Date.now());
    expect(listed.sessions.map((session) => session.id)).toEqual([second.sessionId, identity.sessionId]);
    expect(listed.sessions[0]).toEqual({ id: second.sessionId, createdAt: expect.any(Date), lastUsedAt: expect.any(Date), userAgent: "test" });
    expect(await caller.sessions.end(foreign.sessionId, Date.now())).toEqual({ caller: expect.objectContaining({ id: user.id }) });
    expect(await live(other.id)).toEqual([foreign.sessionId]);
    expect((await caller.sessions.end(second.sessionId, Date.now())).ended).toEqual({ id: second.sessionId, expiresAt: expect.any(Date) });
    expect((await caller.sessions.end(second.sessionId, Date.now())).ended).toBeUndefined();
  });

  it("ends every live session of the caller, its own included", async () => {
    const user = await makeUser();
    const { identity, caller } = await callerOf(user);
    const second = await signIn(user);
    const { ended } = await caller.sessions.endAll(Date.now());
    expect(ended.map((session) => session.id).sort()).toEqual([identity.sessionId, second.sessionId].sort());
    expect(await live(user.id)).toEqual([]);
  });
});

describe("known addresses (the export)", () => {
  it("pages the caller's addresses in byte order", async () => {
    const user = await makeUser();
    const { caller } = await callerOf(user);
    const store = newStore();
    for (const address of ["10.0.0.2", "100.0.0.1", "9.0.0.1"]) await store.logins.rememberAddress(user.id, address, 1_000);
    const first = await caller.knownAddresses(undefined, 2);
    expect(first.rows).toEqual([
      { address: "10.0.0.2", lastSeen: 1_000 },
      { address: "100.0.0.1", lastSeen: 1_000 },
    ]);
    expect((await caller.knownAddresses("100.0.0.1", 10)).rows.map((row) => row.address)).toEqual(["192.0.2.1", "9.0.0.1"]);
  });
});

describe("deleteAccount", () => {
  it("deletes the caller whole and gives back their picture and sessions", async () => {
    const user = await makeUser();
    const fan = await makeUser();
    await rows("update users set profile_picture = 'profile_pics/a.png' where id = $1", [user.id]);
    const { identity, caller } = await callerOf(user);
    await newStore().caller(await signIn(fan)).follows.change("follow", user.id, Date.now());
    await caller.follows.change("follow", fan.id, Date.now());
    const result = await caller.deleteAccount(Date.now());
    expect(result.deleted).toEqual({ profilePicture: "profile_pics/a.png" });
    expect(result.ended.map((session) => session.id)).toEqual([identity.sessionId]);
    for (const table of ["users where id", "follows where follower_id = $1 or followee_id", "token_families where user_id", "known_addresses where user_id"]) {
      expect(await rows(`select count(*)::int as n from ${table} = $1`, [user.id]), table).toEqual([{ n: 0 }]);
    }
    expect(await rows("select followers_count, following_count from users where id = $1", [fan.id])).toEqual([{ followers_count: 0, following_count: 0 }]);
  });
});
