/** The caller guard on PostgreSQL: every CallerStore method refuses a caller who may not act, and writes nothing first. */
import { describe, expect, it } from "vitest";
import { CallerRefused, type CallerStore } from "../../src/store";
import { type Made, callerOf, makeUser, newStore, openRule, rows, snapshot } from "./store-helpers";

const HOUR = 3_600_000;

/** Every method of a caller store, each with arguments that would write if it were allowed. */
function everyMethod(other: Made, followed: Made): [string, (caller: CallerStore) => Promise<unknown>][] {
  const now = Date.now();
  const mail = { requester: [{ key: `email-from-user:${other.id}`, limit: 5, periodMs: HOUR }], recipient: { rule: { key: "email-to:x@example.com", limit: 5, periodMs: HOUR } } };
  return [
    ["check", (caller) => caller.check()],
    ["reserve", (caller) => caller.reserve([openRule()], now)],
    ["countMail", (caller) => caller.countMail(mail, now)],
    ["profile.prepare", (caller) => caller.profile.prepare({ username: "x", email: "x@example.com" }, { password: [openRule()], mail }, now)],
    ["profile.update", (caller) => caller.profile.update({ bio: "changed" }, { endOtherSessions: true, mail }, now)],
    ["changePassword", (caller) => caller.changePassword({ expected: "hash-1", next: "hash-2" }, now)],
    ["sessions.list", (caller) => caller.sessions.list(now)],
    ["sessions.end", (caller) => caller.sessions.end("anything", now)],
    ["sessions.endAll", (caller) => caller.sessions.endAll(now)],
    ["follows.change follow", (caller) => caller.follows.change("follow", other.id, now)],
    ["follows.change unfollow", (caller) => caller.follows.change("unfollow", followed.id, now)],
    ["follows.page", (caller) => caller.follows.page(other.id, "followers", undefined, 10)],
    ["users.seen", (caller) => caller.users.seen(other.id)],
    ["users.page", (caller) => caller.users.page(undefined, 0, 10)],
    ["admin.changeUser", (caller) => caller.admin.changeUser(other.id, { isActive: false }, "staff", now)],
    ["admin.changeUser staff", (caller) => caller.admin.changeUser(other.id, { isStaff: true }, "superuser", now)],
    ["admin.deleteUser", (caller) => caller.admin.deleteUser(other.id, now)],
    ["deleteAccount", (caller) => caller.deleteAccount(now)],
    ["knownAddresses", (caller) => caller.knownAddresses(undefined, 10)],
  ];
}

/** A superuser caller (so that admin methods would write), made unable to act by `spoil`. */
async function refusedCaller(spoil: (user: Made, sessionId: string) => Promise<unknown>) {
  const user = await makeUser({ staff: true, superuser: true });
  const other = await makeUser();
  const followed = await makeUser();
  // An edge to unfollow, and live sessions to end.
  await rows("insert into follows (follower_id, followee_id, created_at) values ($1, $2, now())", [user.id, followed.id]);
  await callerOf(other);
  const { identity, caller } = await callerOf(user);
  await callerOf(user);
  await spoil(user, identity.sessionId);
  return { caller, other, followed };
}

describe.each([
  ["user_inactive", (user: Made) => rows("update users set is_active = false where id = $1", [user.id])],
  ["session_ended", (_: Made, sessionId: string) => rows("update token_families set revoked_at = now() where id = $1", [sessionId])],
  ["session_ended", (_: Made, sessionId: string) => rows("update token_families set expires_at = now() - interval '1 second' where id = $1", [sessionId])],
  ["user_not_found", (user: Made) => rows("delete from users where id = $1", [user.id])],
] as const)("a caller refused (%s)", (reason, spoil) => {
  it("is refused by every method, and nothing is written", async () => {
    const { caller, other, followed } = await refusedCaller(spoil);
    for (const [name, method] of everyMethod(other, followed)) {
      const before = await snapshot();
      await expect(method(caller), name).rejects.toEqual(new CallerRefused(reason));
      expect(await snapshot(), name).toEqual(before);
    }
  });
});

describe("an allowed caller", () => {
  it("check answers the caller's row", async () => {
    const user = await makeUser();
    const { caller } = await callerOf(user);
    expect(await caller.check()).toMatchObject({ id: user.id, username: user.username, isActive: true, followersCount: 0, dateJoined: expect.any(Date) });
  });

  it("a session of another user does not let the caller in", async () => {
    const user = await makeUser();
    const other = await makeUser();
    const { identity } = await callerOf(other);
    await expect(newStore().caller({ id: user.id, sessionId: identity.sessionId }).check()).rejects.toEqual(new CallerRefused("session_ended"));
  });
});
