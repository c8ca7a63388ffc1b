/** Admin user management: PATCH and DELETE /api/users/<id>/, and the admin shape of one user. */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { PASSWORD, type Sent, call, decodeJwt, insertUserRow, lastLoginLanded, login, newProfile, refreshWith, setFlags, signedInUser, uniqueName } from "./helpers";
import { dbRow, dbRun } from "./db";

const FORBIDDEN = { detail: "You do not have permission to perform this action." };
const NOT_YOURSELF = { detail: "You cannot change your own account here." };
/** A registered user's ways to sign in: their password, nothing more. */
const SIGN_IN_METHODS = { local_login: true, two_factor: false, social_accounts: [], passkeys: 0 };

async function admin(superuser = false) {
  const user = await signedInUser();
  await setFlags(user.id, { isStaff: true });
  if (superuser) await dbRun("update users set is_superuser = ? where id = ?", true, user.id);
  return user;
}

const patch = (token: string, id: number, body: Record<string, unknown>) => call("PATCH", `/api/users/${id}/`, { token, body });
const flags = (id: number) => dbRow("select is_active, is_staff from users where id = ?", id);

describe("PATCH /api/users/<id>/", () => {
  it("deactivates a user, ending every session at once, and reactivates them", async () => {
    const staff = await admin();
    const target = await signedInUser();
    await lastLoginLanded(target.id);
    const deactivated = await patch(staff.access, target.id, { is_active: false });
    expect(deactivated.status).toBe(200);
    expect(deactivated.body).toEqual({ ...newProfile(target), is_staff: false, is_superuser: false, is_active: false, last_login: expect.stringMatching(/Z$/), sign_in_methods: SIGN_IN_METHODS });
    expect(await call("GET", "/api/auth/profile/", { token: target.access })).toMatchObject({ status: 401, body: { detail: "User is inactive", code: "user_inactive" } });
    expect((await refreshWith(target.refresh)).status).toBe(401);
    expect((await call("POST", "/api/auth/login/", { body: { username: target.username, password: PASSWORD } })).status).toBe(401);

    const reactivated = await patch(staff.access, target.id, { is_active: "true" });
    expect(reactivated.status).toBe(200);
    expect(reactivated.body.is_active).toBe(true);
    // The old sessions stay ended; a new login works.
    expect((await call("GET", "/api/auth/profile/", { token: target.access })).status).toBe(401);
    const fresh = await login(target.username);
    expect((await call("GET", "/api/auth/profile/", { token: fresh.access })).status).toBe(200);
  });

  it("lets only superusers grant or revoke staff", async () => {
    const staff = await admin();
    const boss = await admin(true);
    const target = await signedInUser();
    expect(await patch(staff.access, target.id, { is_staff: true })).toMatchObject({ status: 403, body: FORBIDDEN });
    expect(await flags(target.id)).toEqual({ is_active: 1, is_staff: 0 });
    const granted = await patch(boss.access, target.id, { is_staff: true });
    expect(granted.status).toBe(200);
    expect(granted.body).toMatchObject({ id: target.id, is_staff: true, is_superuser: false });
    expect((await patch(boss.access, target.id, { is_staff: false })).body.is_staff).toBe(false);
  });

  it("refuses non-admins, changes of yourself, unknown users and values that are not booleans", async () => {
    const staff = await admin();
    const plain = await signedInUser();
    const target = await signedInUser();
    expect(await patch(plain.access, target.id, { is_active: false })).toMatchObject({ status: 403, body: FORBIDDEN });
    expect(await patch(staff.access, staff.id, { is_active: false })).toMatchObject({ status: 400, body: NOT_YOURSELF });
    expect(await patch(staff.access, 99_999_999, { is_active: false })).toMatchObject({ status: 404, body: { detail: "Not found." } });
    expect(await patch(staff.access, target.id, { is_active: "maybe" })).toMatchObject({ status: 400, body: { is_active: ["Must be a valid boolean."] } });
    expect(await flags(target.id)).toEqual({ is_active: 1, is_staff: 0 });
    expect(await flags(staff.id)).toEqual({ is_active: 1, is_staff: 1 });
    expect((await call("PATCH", `/api/users/${target.id}/`, { body: { is_active: false } })).status).toBe(401);
    // The refused deactivation ended none of the target's sessions (its writes are conditioned on the role).
    expect((await call("GET", "/api/auth/profile/", { token: target.access })).status).toBe(200);
    expect(await patch(plain.access, plain.id, { is_active: false })).toMatchObject({ status: 403, body: FORBIDDEN });
  });
});

describe("PATCH /api/users/<id>/ is_active of staff and superusers", () => {
  const liveSessions = (id: number) =>
    dbRow("select count(*) as n from token_families where user_id = ? and revoked_at is null", id);
  // With `env`, `call` also waits for the work deferred after the response (KV writes of revocations).
  const patchAndSettle = (token: string, id: number, body: Record<string, unknown>) => call("PATCH", `/api/users/${id}/`, { token, body, env: {} });

  it("refuses staff who are not superusers and changes nothing: flags, sessions, KV", async () => {
    const staff = await admin();
    const otherStaff = await admin();
    const owner = await admin(true);
    for (const target of [otherStaff, owner]) {
      const fam = decodeJwt(target.refresh).payload.fam;
      for (const body of [{ is_active: false }, { is_active: "0" }, { is_active: true }]) {
        const refused = await patchAndSettle(staff.access, target.id, body);
        expect(refused.status).toBe(403);
        expect(refused.body).toEqual(FORBIDDEN);
      }
      expect(await flags(target.id)).toEqual({ is_active: 1, is_staff: 1 });
      expect(await liveSessions(target.id)).toEqual({ n: 1 });
      expect(await env.KV.get(`revoked-family:${fam}`)).toBeNull();
      expect((await call("GET", "/api/auth/profile/", { token: target.access })).status).toBe(200);
    }
    // An unknown user is still 404, and staff still deactivate users who are neither staff nor superuser.
    expect(await patch(staff.access, 99_999_999, { is_active: false })).toMatchObject({ status: 404, body: { detail: "Not found." } });
    const plain = await signedInUser();
    expect(await patch(staff.access, plain.id, { is_active: false })).toMatchObject({ status: 200, body: { id: plain.id, is_active: false } });
  });

  it("lets a superuser deactivate staff and other superusers, ending their sessions", async () => {
    const owner = await admin(true);
    const staff = await admin();
    const coOwner = await admin(true);
    for (const [target, superuser] of [[staff, false], [coOwner, true]] as const) {
      await lastLoginLanded(target.id);
      const response = await patchAndSettle(owner.access, target.id, { is_active: false });
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ ...newProfile(target), is_staff: true, is_superuser: superuser, is_active: false, last_login: expect.stringMatching(/Z$/), sign_in_methods: SIGN_IN_METHODS });
      expect(await liveSessions(target.id)).toEqual({ n: 0 });
      expect(await env.KV.get(`revoked-family:${decodeJwt(target.refresh).payload.fam}`)).toBe("1");
      expect(await call("GET", "/api/auth/profile/", { token: target.access })).toMatchObject({ status: 401, body: { detail: "User is inactive", code: "user_inactive" } });
    }
  });

  it("never lets staff deactivate a user promoted to staff at the same moment", async () => {
    const staff = await admin();
    const owner = await admin(true);
    const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    const outcomes: { id: number; promoted: Sent; deactivated: Sent }[] = [];
    // Promotions start at many moments into the deactivations, so that some land between any read
    // and write a deactivation makes: a role checked in one round trip and written in another
    // lets several through here (tried), a role in the write's SQL none.
    for (let lag = 0; lag <= 60; lag += 4) {
      const targets = await Promise.all(Array.from({ length: 6 }, () => insertUserRow({ username: uniqueName("target"), password: "!" })));
      const deactivations = targets.map((id) => patch(staff.access, id, { is_active: false }));
      await pause(lag);
      const promotions = targets.map((id) => patch(owner.access, id, { is_staff: true }));
      for (const [i, id] of targets.entries()) outcomes.push({ id, promoted: await promotions[i]!, deactivated: await deactivations[i]! });
    }
    for (const { id, promoted, deactivated } of outcomes) {
      expect(promoted).toMatchObject({ status: 200, body: { id, is_staff: true } });
      if (deactivated.status === 200) {
        // Deactivated first, while the target was nobody's staff; the promotion came after.
        expect(deactivated.body).toMatchObject({ id, is_active: false, is_staff: false });
        expect(await flags(id)).toEqual({ is_active: 0, is_staff: 1 });
      } else {
        expect(deactivated.status).toBe(403);
        expect(deactivated.body).toEqual(FORBIDDEN);
        expect(await flags(id)).toEqual({ is_active: 1, is_staff: 1 });
      }
    }
  });
});

describe("DELETE /api/users/<id>/", () => {
  it("lets a superuser delete a user as account deletion does", async () => {
    const boss = await admin(true);
    const target = await signedInUser();
    const fan = await signedInUser();
    await call("POST", `/api/auth/follow/${target.id}/`, { token: fan.access });
    const response = await call("DELETE", `/api/users/${target.id}/`, { token: boss.access });
    expect(response.status).toBe(204);
    expect(await dbRow("select count(*) as n from users where id = ?", target.id)).toEqual({ n: 0 });
    expect((await call("GET", "/api/auth/profile/", { token: fan.access })).body.following_count).toBe(0);
    expect(await call("GET", "/api/auth/profile/", { token: target.access })).toMatchObject({ status: 401, body: { detail: "User not found", code: "user_not_found" } });
  });

  it("refuses staff who are not superusers, yourself and unknown users", async () => {
    const staff = await admin();
    const boss = await admin(true);
    const target = await signedInUser();
    expect((await call("POST", `/api/auth/follow/${staff.id}/`, { token: target.access })).status).toBe(200);
    expect(await call("DELETE", `/api/users/${target.id}/`, { token: staff.access })).toMatchObject({ status: 403, body: FORBIDDEN });
    // Nothing of the refused deletion landed: the target's session, follow and the counters stand.
    expect(await call("GET", "/api/auth/profile/", { token: target.access })).toMatchObject({ status: 200, body: { following_count: 1 } });
    expect((await call("GET", "/api/auth/profile/", { token: staff.access })).body.followers_count).toBe(1);
    expect(await call("DELETE", `/api/users/${boss.id}/`, { token: boss.access })).toMatchObject({ status: 400, body: NOT_YOURSELF });
    expect(await call("DELETE", "/api/users/99999999/", { token: boss.access })).toMatchObject({ status: 404, body: { detail: "Not found." } });
    expect(await dbRow("select count(*) as n from users where id in (?, ?)", target.id, boss.id)).toEqual({ n: 2 });
  });
});

describe("GET /api/users/<id>/ as an admin", () => {
  it("answers the admin shape to staff and the public shape to others", async () => {
    const staff = await admin();
    const plain = await signedInUser();
    await lastLoginLanded(plain.id);
    const asAdmin = await call("GET", `/api/users/${plain.id}/`, { token: staff.access });
    expect(asAdmin.body).toEqual({ ...newProfile(plain), is_staff: false, is_superuser: false, is_active: true, last_login: expect.stringMatching(/Z$/), sign_in_methods: SIGN_IN_METHODS });
    const asPeer = await call("GET", `/api/users/${staff.id}/`, { token: plain.access });
    expect(Object.keys(asPeer.body).sort()).toEqual(["bio", "followers_count", "following_count", "id", "is_following", "profile_picture", "username"]);
  });
});

describe("sign_in_methods.social_accounts of the admin shape", () => {
  /** Links `provider` to user `id` as a social login would (a row of social_accounts). */
  const link = (id: number, provider: string) =>
    dbRun("insert into social_accounts (user_id, provider, uid, email, created_at) values (?, ?, ?, ?, ?)", id, provider, uniqueName("uid"), null, new Date());

  it("lists the providers of the user's linked accounts, sorted, in the list, the user's page and a change's answer", async () => {
    const staff = await admin();
    const tag = uniqueName("linked");
    const linked = await signedInUser(`${tag}a`);
    const unlinked = await signedInUser(`${tag}b`);
    await lastLoginLanded(linked.id);
    await lastLoginLanded(unlinked.id);
    // Linked out of order: the answer sorts them.
    await link(linked.id, "local");
    await link(linked.id, "github");
    const adminShape = (user: typeof linked, socialAccounts: string[]) => ({
      ...newProfile(user),
      is_staff: false,
      is_superuser: false,
      is_active: true,
      last_login: expect.stringMatching(/Z$/),
      sign_in_methods: { ...SIGN_IN_METHODS, social_accounts: socialAccounts },
    });

    const listed = await call("GET", `/api/users/?search=${tag}`, { token: staff.access });
    expect(listed.status).toBe(200);
    // Each row carries its own user's links, none of another's.
    expect(listed.body).toEqual({ count: 2, next: null, previous: null, results: [adminShape(linked, ["github", "local"]), adminShape(unlinked, [])] });

    const seen = await call("GET", `/api/users/${linked.id}/`, { token: staff.access });
    expect(seen.status).toBe(200);
    expect(seen.body).toEqual(adminShape(linked, ["github", "local"]));

    // A change that is one statement (is_staff, by a superuser) and a deactivation (a transaction on PostgreSQL).
    const boss = await admin(true);
    const promoted = await patch(boss.access, linked.id, { is_staff: true });
    expect(promoted.status).toBe(200);
    expect(promoted.body).toEqual({ ...adminShape(linked, ["github", "local"]), is_staff: true });
    const deactivated = await patch(boss.access, linked.id, { is_active: false });
    expect(deactivated.status).toBe(200);
    expect(deactivated.body).toEqual({ ...adminShape(linked, ["github", "local"]), is_staff: true, is_active: false });
  });
});
