/**
 * Storage calls per request, on each engine (Server-Timing): D1 round trips, PostgreSQL statements.
 * Every read, and every follow and unfollow, is one on both engines. The other routes' costs are
 * pinned per engine: on D1 a write is one batch; on PostgreSQL a write that one statement cannot
 * make correct at READ COMMITTED (a throttle reservation, a write that locks a user's row first) is
 * a transaction, BEGIN, the lock, the work and COMMIT: four.
 */
import { describe, expect, it } from "vitest";
import { type Engine, ENGINE, dbRun } from "./db";
import { PASSWORD, type Sent, call, decodeJwt, login, registerUser, setFlags, signedInUser, uniqueName } from "./helpers";
import { type Mail, keyIn, mailbox, markVerified } from "./mail";
import { storageCalls } from "./server-timing";

/**
 * What each other route costs: what it sends and has answered before its response (work deferred
 * past the response, such as a login's last_login and the mail, is not counted; a right
 * password's slot, given back while the write runs, is).
 */
const COSTS: Record<Engine, Record<string, number>> = {
  d1: {
    // A read of the uniqueness holders (and the throttle's slots), then the write.
    "POST /api/auth/register/": 2,
    "POST /api/auth/login/": 1,
    "POST /api/auth/token/refresh/": 1,
    "POST /api/auth/token/verify/": 1,
    "POST /api/auth/logout/": 1,
    "POST /api/auth/logout/all/": 1,
    "DELETE /api/auth/sessions/<id>/": 1,
    "PATCH /api/auth/profile/ (bio)": 2,
    // The password's and the mail's slots ride in the batch that reads the caller.
    "PATCH /api/auth/profile/ (email)": 2,
    // The caller with the password's slot, the slot given back, the change.
    "POST /api/auth/password/change/": 3,
    "POST /api/auth/password/reset/": 1,
    "POST /api/auth/password/reset/confirm/": 2,
    "POST /api/auth/registration/resend-email/": 1,
    "POST /api/auth/registration/verify-email/": 2,
    // The role is a condition of the change's writes, not a read before them.
    "PATCH /api/users/<id>/ (is_staff)": 1,
    "PATCH /api/users/<id>/ (is_active)": 1,
    "DELETE /api/users/<id>/": 1,
    "DELETE /api/auth/profile/": 3,
    "POST /api/notifications/read-all/": 1,
    "POST /api/users/<id>/mute/": 1,
    "POST /api/users/<id>/unmute/": 1,
    "POST /api/users/<id>/block/": 1,
    "POST /api/users/<id>/unblock/": 1,
    "GET /api/nothing/ (404)": 0,
  },
  postgres: {
    // The registration throttle's reservation (a transaction), then the insert.
    "POST /api/auth/register/": 5,
    // The throttle's reservation, the account and the speculative session: one transaction.
    "POST /api/auth/login/": 4,
    "POST /api/auth/token/refresh/": 1,
    "POST /api/auth/token/verify/": 1,
    "POST /api/auth/logout/": 1,
    "POST /api/auth/logout/all/": 1,
    "DELETE /api/auth/sessions/<id>/": 1,
    "PATCH /api/auth/profile/ (bio)": 2,
    // The read reserving the password's and the mail's slots, and the update counting the mail: two transactions.
    "PATCH /api/auth/profile/ (email)": 8,
    // The caller's reservation, the slot given back, the change locking the row: 4 + 1 + 4.
    "POST /api/auth/password/change/": 9,
    "POST /api/auth/password/reset/": 4,
    // The user's read, then the reset locking the row.
    "POST /api/auth/password/reset/confirm/": 5,
    "POST /api/auth/registration/resend-email/": 4,
    "POST /api/auth/registration/verify-email/": 2,
    "PATCH /api/users/<id>/ (is_staff)": 1,
    // A deactivation and a deletion lock the users' rows first.
    "PATCH /api/users/<id>/ (is_active)": 4,
    "DELETE /api/users/<id>/": 4,
    "DELETE /api/auth/profile/": 9,
    "POST /api/notifications/read-all/": 1,
    "POST /api/users/<id>/mute/": 1,
    "POST /api/users/<id>/unmute/": 1,
    // A block and an unblock lock both users' rows first (a follow made beside one is seen; one
    // that waited for it runs again: src/store/postgres/follows.ts): a transaction each.
    "POST /api/users/<id>/block/": 4,
    "POST /api/users/<id>/unblock/": 4,
    "GET /api/nothing/ (404)": 0,
  },
};

/** A response's storage calls, once its status is the one expected. */
function costOf(label: string, response: Sent, status: number): number {
  expect(response.status, `${label}: ${JSON.stringify(response.body)}`).toBe(status);
  return storageCalls(response.headers);
}

describe(`storage calls per request on ${ENGINE === "d1" ? "D1 (round trips)" : "PostgreSQL (statements)"}`, () => {
  it("costs one for every read and for follow and unfollow, on either engine", async () => {
    const alice = await signedInUser();
    const bob = await signedInUser();
    await setFlags(alice.id, { isStaff: true });
    const cases: [string, string][] = [
      ["GET", "/api/auth/profile/"],
      ["GET", `/api/users/${bob.id}/`],
      ["GET", `/api/users/${bob.id}/followers/`],
      ["GET", `/api/users/${alice.id}/following/`],
      ["GET", "/api/users/"],
      ["GET", "/api/auth/sessions/"],
      ["POST", `/api/auth/follow/${bob.id}/`],
      ["POST", `/api/auth/unfollow/${bob.id}/`],
      ["GET", "/api/notifications/"],
      ["GET", "/api/notifications/unread-count/"],
      ["GET", `/api/users/relationships/?id=${bob.id}`],
      ["GET", "/api/auth/blocks/"],
      ["GET", "/api/auth/mutes/"],
    ];
    for (const [method, path] of cases) {
      const response = await call(method, path, { token: alice.access });
      expect(costOf(`${method} ${path}`, response, 200), `${method} ${path}`).toBe(1);
      // D1's bookmark (test/d1-sessions.test.ts) is D1's alone: PostgreSQL answers none.
      expect(response.headers.has("x-d1-bookmark"), `${method} ${path}`).toBe(ENGINE === "d1");
    }
  });

  it("costs what this engine's table says for every other route", async () => {
    const measured: Record<string, number> = {};
    const measure = (label: string, response: Sent, status = 200) => void (measured[label] = costOf(label, response, status));

    const name = uniqueName();
    measure("POST /api/auth/register/", await call("POST", "/api/auth/register/", { body: { username: name, email: `${name}@example.com`, password: PASSWORD, password2: PASSWORD } }), 201);
    const user = await signedInUser();
    measure("POST /api/auth/login/", await call("POST", "/api/auth/login/", { body: { username: user.username, password: PASSWORD } }));
    const refreshed = await call("POST", "/api/auth/token/refresh/", { body: { refresh: user.refresh } });
    measure("POST /api/auth/token/refresh/", refreshed);
    measure("POST /api/auth/token/verify/", await call("POST", "/api/auth/token/verify/", { body: { token: user.access } }));
    measure("POST /api/auth/logout/", await call("POST", "/api/auth/logout/", { body: { refresh: refreshed.body.refresh } }));

    const owner = await signedInUser();
    const device = await login(owner.username);
    measure("DELETE /api/auth/sessions/<id>/", await call("DELETE", `/api/auth/sessions/${decodeJwt(device.access).payload.sid}/`, { token: owner.access }), 204);
    measure("PATCH /api/auth/profile/ (bio)", await call("PATCH", "/api/auth/profile/", { token: owner.access, body: { bio: "x" } }));
    measure("PATCH /api/auth/profile/ (email)", await call("PATCH", "/api/auth/profile/", { token: owner.access, body: { email: `${uniqueName("moved")}@example.com`, current_password: PASSWORD } }));
    const changed = "a-changed-passphrase-7";
    measure("POST /api/auth/password/change/", await call("POST", "/api/auth/password/change/", { token: owner.access, body: { old_password: PASSWORD, new_password: changed, new_password2: changed } }));
    const again = await login(owner.username, changed);
    measure("POST /api/auth/logout/all/", await call("POST", "/api/auth/logout/all/", { token: again.access }));

    // The mail routes, with a recording mailbox (the mail goes after the response, not counted).
    const box = mailbox({ EMAIL_VERIFICATION: "optional" });
    const forgetful = await registerUser();
    await markVerified(forgetful.username);
    measure("POST /api/auth/password/reset/", await box.call("POST", "/api/auth/password/reset/", { body: { email: forgetful.email } }));
    const [, uid, token] = /\/account\/reset\/([A-Za-z0-9_-]+)\/([0-9a-z]+-[0-9a-f]{32})\//.exec(box.sent.at(-1)!.text)!;
    const reset = "a-reset-passphrase-8";
    measure("POST /api/auth/password/reset/confirm/", await call("POST", "/api/auth/password/reset/confirm/", { body: { uid, token, new_password1: reset, new_password2: reset } }));
    const unverified = await registerUser();
    measure("POST /api/auth/registration/resend-email/", await box.call("POST", "/api/auth/registration/resend-email/", { body: { email: unverified.email } }));
    const confirmation = box.sent.filter((mail: Mail) => mail.to === unverified.email).at(-1)!;
    measure("POST /api/auth/registration/verify-email/", await call("POST", "/api/auth/registration/verify-email/", { body: { key: keyIn(confirmation) } }));

    // An admin's changes: a role change, a deactivation (which ends the target's sessions), a deletion.
    const boss = await signedInUser();
    await setFlags(boss.id, { isStaff: true });
    await dbRun("update users set is_superuser = ? where id = ?", true, boss.id);
    const [promoted, deactivated, deleted] = [await signedInUser(), await signedInUser(), await signedInUser()];
    measure("PATCH /api/users/<id>/ (is_staff)", await call("PATCH", `/api/users/${promoted.id}/`, { token: boss.access, body: { is_staff: true } }));
    measure("PATCH /api/users/<id>/ (is_active)", await call("PATCH", `/api/users/${deactivated.id}/`, { token: boss.access, body: { is_active: false } }));
    measure("DELETE /api/users/<id>/", await call("DELETE", `/api/users/${deleted.id}/`, { token: boss.access }), 204);

    const leaving = await signedInUser();
    measure("DELETE /api/auth/profile/", await call("DELETE", "/api/auth/profile/", { token: leaving.access, body: { password: PASSWORD } }), 204);
    const other = await signedInUser();
    measure("POST /api/notifications/read-all/", await call("POST", "/api/notifications/read-all/", { token: boss.access }));
    for (const action of ["mute", "unmute", "block", "unblock"]) {
      measure(`POST /api/users/<id>/${action}/`, await call("POST", `/api/users/${other.id}/${action}/`, { token: boss.access }));
    }
    measure("GET /api/nothing/ (404)", await call("GET", "/api/nothing/", { token: boss.access }), 404);

    expect(measured).toEqual(COSTS[ENGINE]);
  });
});
