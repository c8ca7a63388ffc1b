/**
 * Statements per store method on PostgreSQL (the tally Server-Timing reports): one for every read
 * and every follow and unfollow; a transaction (BEGIN, its statements, COMMIT) only where one
 * statement cannot be correct at READ COMMITTED (throttle reservations, and the writes that lock a
 * user's row first: a block and an unblock among them). A follow that raced a block costs more
 * (src/store/postgres/follows.ts; test/postgres/relations.test.ts counts it).
 */
import { describe, expect, it } from "vitest";
import type { CallerStore, MailAsk, Store } from "../../src/store";
import type { Tally } from "../../src/store/postgres";
import { type Made, makeUser, newStore, openRule, rows, signIn, uniqueName } from "./store-helpers";

const HOUR = 3_600_000;

/** The statements `work` sends on a fresh store. */
async function statementsOf(work: (store: Store) => Promise<unknown>): Promise<number> {
  const tally: Tally = { count: 0, ms: 0 };
  await work(newStore(tally));
  return tally.count;
}

async function asCaller(user: Made, work: (caller: CallerStore) => Promise<unknown>): Promise<number> {
  const identity = await signIn(user);
  return statementsOf((store) => work(store.caller(identity)));
}

describe("one statement", () => {
  it("for every read of a signed-in caller", async () => {
    const staff = await makeUser({ staff: true });
    const other = await makeUser();
    const reads: [string, (caller: CallerStore) => Promise<unknown>][] = [
      ["check", (caller) => caller.check()],
      ["sessions.list", (caller) => caller.sessions.list(Date.now())],
      ["follows.page", (caller) => caller.follows.page(other.id, "followers", undefined, 10)],
      ["users.seen", (caller) => caller.users.seen(other.id)],
      ["users.page", (caller) => caller.users.page("user", 0, 10)],
      ["knownAddresses", (caller) => caller.knownAddresses(undefined, 10)],
      ["profile.prepare", (caller) => caller.profile.prepare({ username: "x" }, undefined, Date.now())],
      ["notifications.page", (caller) => caller.notifications.page(undefined, 10)],
      ["notifications.page (from a cursor)", (caller) => caller.notifications.page({ id: 5, forward: false }, 10)],
      ["notifications.unreadCount", (caller) => caller.notifications.unreadCount()],
      ["relations.page", (caller) => caller.relations.page("blocks", undefined, 10)],
      ["relations.relationships", (caller) => caller.relations.relationships([other.id, staff.id])],
      ["export.comments", (caller) => caller.export.comments(undefined, 10)],
      ["export.likes", (caller) => caller.export.likes(5, 10)],
      ["export.notifications", (caller) => caller.export.notifications(undefined, 10)],
      ["export.notifications (from an unread position)", (caller) => caller.export.notifications(100_000_000_000_005, 10)],
    ];
    for (const [name, read] of reads) expect(await asCaller(staff, read), name).toBe(1);
  });

  it("for a follow and an unfollow", async () => {
    const [me, them] = [await makeUser(), await makeUser()];
    expect(await asCaller(me, (caller) => caller.follows.change("follow", them.id, Date.now()))).toBe(1);
    expect(await rows("select count(*)::int as n from follows where follower_id = $1 and followee_id = $2", [me.id, them.id])).toEqual([{ n: 1 }]);
    expect(await asCaller(me, (caller) => caller.follows.change("unfollow", them.id, Date.now()))).toBe(1);
    expect(await rows("select count(*)::int as n from follows where follower_id = $1", [me.id])).toEqual([{ n: 0 }]);
  });

  it("for the other single-statement writes and reads", async () => {
    const user = await makeUser();
    const other = await makeUser();
    const identity = await signIn(user);
    const username = uniqueName();
    const cases: [string, (store: Store) => Promise<unknown>][] = [
      ["ping", (store) => store.ping()],
      ["register", (store) => store.accounts.register({ username, email: `${username}@example.com`, password: "h", dateJoined: new Date() }, { address: "192.0.2.1" }, Date.now())],
      ["activeUser", (store) => store.accounts.activeUser(user.id)],
      ["markEmailVerified", (store) => store.accounts.markEmailVerified(user.id, user.email)],
      ["finish", (store) => store.signIns.finish(user.id, { releaseSlots: [1], signedInFrom: "192.0.2.2" }, Date.now())],
      ["discard", (store) => store.logins.discard("none")],
      ["rememberAddress", (store) => store.logins.rememberAddress(user.id, "192.0.2.3", Date.now())],
      ["recentFailures", (store) => store.logins.recentFailures("login-user-address:nobody|", Date.now() - HOUR)],
      ["signIns.start", (store) => store.signIns.start(user.id, { id: uniqueName(), jti: "j", expiresAt: new Date(Date.now() + HOUR), userAgent: null }, undefined, Date.now())],
      [
        "signIns.start (with a challenge)",
        (store) => store.signIns.start(user.id, { id: uniqueName(), jti: "j", expiresAt: new Date(Date.now() + HOUR), userAgent: null }, { tokenHash: uniqueName(), method: "password", expiresAt: new Date(Date.now() + HOUR) }, Date.now()),
      ],
      ["mfa.challenge", (store) => store.mfa.challenge("none", Date.now())],
      ["deleteExpiredMfaChallenges", (store) => store.maintenance.deleteExpiredMfaChallenges(Date.now())],
      ["mfa.factor (caller)", (store) => store.caller(identity).mfa.factor([openRule()], Date.now())],
      ["mfa.beginSetup (caller)", (store) => store.caller(identity).mfa.beginSetup("k.i.c")],
      ["mfa.confirm (caller)", (store) => store.caller(identity).mfa.confirm({ pending: "none", secret: "k.i.d", step: 1, codeHashes: ["h"] })],
      ["mfa.replaceRecoveryCodes (caller)", (store) => store.caller(identity).mfa.replaceRecoveryCodes(["h"])],
      ["passkeys.list (caller)", (store) => store.caller(identity).passkeys.list()],
      ["passkeys.beginRegistration (caller)", (store) => store.caller(identity).passkeys.beginRegistration({ challenge: uniqueName(), expiresAt: new Date(Date.now() + HOUR), newHandle: "h" }, Date.now())],
      ["passkeys.register (caller)", (store) => store.caller(identity).passkeys.register("none", { credentialId: uniqueName(), publicKey: "k", counter: 0, transports: [], name: "n" }, Date.now())],
      ["standing", (store) => store.sessions.standing({ id: identity.sessionId, userId: user.id }, undefined, 0, Date.now())],
      ["rotate", (store) => store.sessions.rotate({ id: identity.sessionId, userId: user.id }, { oldJti: identity.jti, newJti: uniqueName(), newExpiresAt: new Date(Date.now() + HOUR), client: "c" }, 0, Date.now())],
      ["releaseSlots", (store) => store.releaseSlots([1, 2])],
      ["deleteExpiredSessions", (store) => store.maintenance.deleteExpiredSessions(10, Date.now())],
      ["deleteOldThrottleEvents", (store) => store.maintenance.deleteOldThrottleEvents(HOUR, Date.now())],
      ["forgetOldAddresses", (store) => store.maintenance.forgetOldAddresses(Date.now())],
      ["sessions.end (caller)", (store) => store.caller(identity).sessions.end("none", Date.now())],
      ["profile.update", (store) => store.caller(identity).profile.update({ bio: "b" }, { releaseSlots: [3] }, Date.now())],
      ["admin.changeUser (not a deactivation)", (store) => store.caller(identity).admin.changeUser(other.id, { isActive: true }, "staff", Date.now())],
      ["notifications.markRead", (store) => store.caller(identity).notifications.markRead(1)],
      ["notifications.markAllRead", (store) => store.caller(identity).notifications.markAllRead()],
      ["relations.change (mute)", (store) => store.caller(identity).relations.change("mute", other.id, Date.now())],
      ["relations.change (unmute)", (store) => store.caller(identity).relations.change("unmute", other.id, Date.now())],
      ["sessions.endAll", (store) => store.caller(identity).sessions.endAll(Date.now())],
      ["releaseSlots (caller)", (store) => store.caller(identity).releaseSlots([4])],
      ["passkeys.beginLogin", (store) => store.passkeys.beginLogin({ challenge: uniqueName(), expiresAt: new Date(Date.now() + HOUR) }, Date.now())],
      ["passkeys.credential", (store) => store.passkeys.credential("none")],
      ["passkeys.login", (store) => store.passkeys.login({ challenge: "none", passkeyId: 1, userId: user.id, counter: { from: 0, to: 0 }, session: { id: uniqueName(), jti: "j", expiresAt: new Date(Date.now() + HOUR), userAgent: null } }, Date.now())],
      ["deleteExpiredPasskeyChallenges", (store) => store.maintenance.deleteExpiredPasskeyChallenges(Date.now())],
    ];
    for (const [name, work] of cases) expect(await statementsOf(work), name).toBe(1);
    expect(await statementsOf((store) => store.releaseSlots([])), "releaseSlots of nothing").toBe(0);
  });
});

describe("a transaction of two statements (four with BEGIN and COMMIT)", () => {
  it("for reservations and for the writes that lock a user's row first", async () => {
    const user = await makeUser({ staff: true, superuser: true });
    const victims = [await makeUser(), await makeUser(), await makeUser()];
    const mail: MailAsk = { requester: [openRule()], recipient: { rule: openRule(), account: { holderOf: user.email } } };
    const cases: [string, (store: Store) => Promise<unknown>][] = [
      ["checkRegistration", (store) => store.accounts.checkRegistration({ username: uniqueName(), email: "" }, [openRule()], Date.now())],
      ["resetRequest", (store) => store.accounts.resetRequest(mail, user.email, Date.now())],
      ["resendRequest", (store) => store.accounts.resendRequest(mail, user.email, Date.now())],
      ["resetPassword", (store) => store.accounts.resetPassword(victims[0]!.id, { expected: "x", next: "y" }, { key: "k", prefix: "p|" })],
      ["confirmPendingEmail", (store) => store.accounts.confirmPendingEmail({ id: victims[0]!.id, pending: "p@example.com", notice: mail }, Date.now())],
      ["begin", (store) => store.logins.begin({ rules: [openRule()], username: user.username, session: { id: uniqueName(), jti: "j", expiresAt: new Date(Date.now() + HOUR), userAgent: null } }, Date.now())],
      // A second step: the throttle key and the user's row locked, then the answer in one statement (or a wrong code's reservation).
      ["mfa.answer", (store) => store.mfa.answer({ tokenHash: "none", userId: user.id }, { recoveryHash: "h" }, { id: uniqueName(), jti: "j", expiresAt: new Date(Date.now() + HOUR), userAgent: null }, [openRule()], Date.now())],
      ["mfa.answer (a wrong code)", (store) => store.mfa.answer({ tokenHash: "none", userId: user.id }, undefined, { id: uniqueName(), jti: "j", expiresAt: new Date(Date.now() + HOUR), userAgent: null }, [openRule()], Date.now())],
    ];
    for (const [name, work] of cases) expect(await statementsOf(work), name).toBe(4);
    const callerCases: [string, (caller: CallerStore) => Promise<unknown>][] = [
      ["reserve", (caller) => caller.reserve([openRule()], Date.now())],
      ["countMail", (caller) => caller.countMail(mail, Date.now())],
      ["profile.prepare (email change)", (caller) => caller.profile.prepare({ email: "n@example.com" }, { password: [openRule()], mail }, Date.now())],
      ["profile.update (with a mail)", (caller) => caller.profile.update({ bio: "x" }, { mail }, Date.now())],
      ["admin.changeUser (deactivation)", (caller) => caller.admin.changeUser(victims[1]!.id, { isActive: false }, "staff", Date.now())],
      ["admin.deleteUser", (caller) => caller.admin.deleteUser(victims[2]!.id, Date.now())],
      ["changePassword", (caller) => caller.changePassword({ expected: "x", next: "y" }, Date.now())],
      ["relations.change (block)", (caller) => caller.relations.change("block", victims[0]!.id, Date.now())],
      ["relations.change (unblock)", (caller) => caller.relations.change("unblock", victims[0]!.id, Date.now())],
      ["mfa.disable", (caller) => caller.mfa.disable({ recoveryHash: "h" })],
      // The caller's row locked first: two removals of a way to sign in never both count the other's as the one left.
      ["passkeys.delete", (caller) => caller.passkeys.delete(1)],
      ["deleteAccount", (caller) => caller.deleteAccount(Date.now())],
    ];
    for (const [name, work] of callerCases) expect(await asCaller(user, work), name).toBe(4);
  });

  it("and a refresh that does not rotate reads once more (twice when it lost a race)", async () => {
    const user = await makeUser();
    const identity = await signIn(user);
    const reuse = (store: Store) =>
      store.sessions.rotate({ id: identity.sessionId, userId: user.id }, { oldJti: "not-current", newJti: "n", newExpiresAt: new Date(Date.now() + HOUR), client: "c" }, 0, Date.now());
    expect(await statementsOf(reuse)).toBe(2);
  });
});
