import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import {
  BLACKLISTED,
  INVALID_OR_EXPIRED,
  WRONG_TYPE,
  call,
  decodeJwt,
  eventually,
  login,
  logoutWith,
  signedInUser,
  refreshWith,
  setFlags,
  verifyWith,
} from "./helpers";
import { dbRow, dbRun } from "./db";

const NO_ACTIVE_ACCOUNT = { detail: "No active account found for the given token.", code: "no_active_account" };

const JWT = /^[\w-]+\.[\w-]+\.[\w-]+$/;
const TOKEN_PAIR = { access: expect.stringMatching(JWT), refresh: expect.stringMatching(JWT) };

describe("POST /api/auth/token/refresh/", () => {
  it("rotates: a new access and refresh token of the same family, and the old one is revoked", async () => {
    const session = await signedInUser();
    const response = await refreshWith(session.refresh);
    expect(response.status).toBe(200);
    expect(response.body).toEqual(TOKEN_PAIR);
    const before = decodeJwt(session.refresh).payload;
    const after = decodeJwt(response.body.refresh).payload;
    expect(after).toMatchObject({ token_type: "refresh", user_id: session.id, fam: before.fam });
    expect(after.jti).not.toBe(before.jti);
    expect(decodeJwt(response.body.access).payload).toMatchObject({ token_type: "access", user_id: session.id, sid: before.fam });
    expect((await call("GET", "/api/auth/profile/", { token: response.body.access })).status).toBe(200);
    // The new refresh token works in turn.
    expect(await refreshWith(response.body.refresh)).toMatchObject({ status: 200, body: TOKEN_PAIR });
  });

  it("treats reuse of a rotated token as theft: blacklisted, and its whole family revoked", async () => {
    const session = await signedInUser();
    const rotated = await refreshWith(session.refresh);
    const reuse = await refreshWith(session.refresh);
    expect(reuse.status).toBe(401);
    expect(reuse.body).toEqual(BLACKLISTED);
    const descendant = await refreshWith(rotated.body.refresh);
    expect(descendant.status).toBe(401);
    expect(descendant.body).toEqual(BLACKLISTED);
  });

  it("revokes only the family of the stolen token, leaving the user's other logins alone", async () => {
    const session = await signedInUser();
    const otherLogin = await login(session.username);
    await refreshWith(session.refresh);
    await refreshWith(session.refresh);
    const other = await refreshWith(otherLogin.refresh);
    expect(other.status).toBe(200);
    expect(other.body).toEqual(TOKEN_PAIR);
  });

  it("gives exactly one 200 to 10 simultaneous refreshes of one token", async () => {
    const session = await signedInUser();
    const responses = await Promise.all(Array.from({ length: 10 }, () => refreshWith(session.refresh)));
    const winners = responses.filter((r) => r.status === 200);
    expect(winners).toHaveLength(1);
    for (const loser of responses.filter((r) => r.status !== 200)) {
      expect(loser.status).toBe(401);
      expect(loser.body).toEqual(BLACKLISTED);
    }
    const rows = await dbRow("select count(*) as n from token_families where id = ?", decodeJwt(session.refresh).payload.fam);
    expect(rows).toEqual({ n: 1 });
  });

  it("refuses an access token, garbage, and a token with a bad signature", async () => {
    const session = await signedInUser();
    const wrongType = await refreshWith(session.access);
    expect(wrongType.status).toBe(401);
    expect(wrongType.body).toEqual(WRONG_TYPE);
    for (const token of ["garbage", `${session.refresh.slice(0, -4)}AAAA`]) {
      const response = await refreshWith(token);
      expect(response.status).toBe(401);
      expect(response.body).toEqual(INVALID_OR_EXPIRED);
    }
  });

  it("reports a missing refresh field as a field error", async () => {
    const response = await call("POST", "/api/auth/token/refresh/", { body: {} });
    expect(response.status).toBe(400);
    expect(response.body).toEqual({ refresh: ["This field is required."] });
  });

  it("refuses the refresh token of a user since deactivated or deleted", async () => {
    const inactive = await signedInUser();
    await setFlags(inactive.id, { isActive: false });
    const refused = await refreshWith(inactive.refresh);
    expect(refused.status).toBe(401);
    expect(refused.body).toEqual(NO_ACTIVE_ACCOUNT);

    const deleted = await signedInUser();
    await dbRun("delete from users where id = ?", deleted.id);
    const gone = await refreshWith(deleted.refresh);
    expect(gone.status).toBe(401);
  });
});

describe("POST /api/auth/token/verify/", () => {
  it("answers 200 {} for a valid access or refresh token", async () => {
    const session = await signedInUser();
    for (const token of [session.access, session.refresh]) {
      const response = await verifyWith(token);
      expect(response.status).toBe(200);
      expect(response.body).toEqual({});
    }
  });

  it("refuses garbage, revoked refresh tokens and tokens of inactive users", async () => {
    const session = await signedInUser();
    expect((await verifyWith("garbage")).body).toEqual(INVALID_OR_EXPIRED);
    await logoutWith(session.refresh);
    const revoked = await verifyWith(session.refresh);
    expect(revoked.status).toBe(401);
    expect(revoked.body).toEqual(BLACKLISTED);

    const inactive = await signedInUser();
    await setFlags(inactive.id, { isActive: false });
    const access = await verifyWith(inactive.access);
    expect(access.status).toBe(401);
    expect(access.body).toEqual(NO_ACTIVE_ACCOUNT);
  });

  it("treats a rotated refresh token presented for verification as reuse", async () => {
    const session = await signedInUser();
    const rotated = await refreshWith(session.refresh);
    expect((await verifyWith(session.refresh)).body).toEqual(BLACKLISTED);
    expect((await refreshWith(rotated.body.refresh)).body).toEqual(BLACKLISTED);
  });

  it("reports a missing token field", async () => {
    const response = await call("POST", "/api/auth/token/verify/", { body: {} });
    expect(response.status).toBe(400);
    expect(response.body).toEqual({ token: ["This field is required."] });
  });
});

describe("POST /api/auth/logout/", () => {
  it("revokes the refresh token; using it again is blacklisted", async () => {
    const session = await signedInUser();
    const response = await logoutWith(session.refresh);
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ detail: "Successfully logged out." });
    expect((await refreshWith(session.refresh)).body).toEqual(BLACKLISTED);
    const again = await logoutWith(session.refresh);
    expect(again.status).toBe(401);
    expect(again.body).toEqual(BLACKLISTED);
  });

  it("refuses an access token and a missing field", async () => {
    const session = await signedInUser();
    expect((await logoutWith(session.access)).body).toEqual(WRONG_TYPE);
    const missing = await call("POST", "/api/auth/logout/", { body: {} });
    expect(missing.status).toBe(400);
    expect(missing.body).toEqual({ refresh: ["This field is required."] });
  });

  it("writes the revocation to KV with the token's remaining life, and KV alone refuses it", async () => {
    const session = await signedInUser();
    const { fam, exp } = decodeJwt(session.refresh).payload;
    await logoutWith(session.refresh);
    const value = await eventually(() => env.KV.get(`revoked-family:${fam}`), (v) => v !== null);
    expect(value).toBe("1");
    const listed = await env.KV.list({ prefix: `revoked-family:${fam}` });
    expect(listed.keys[0]!.expiration).toBeGreaterThanOrEqual(exp - 5);
    expect(listed.keys[0]!.expiration).toBeLessThanOrEqual(exp + 5);
    // With the D1 row gone, only KV can still say "blacklisted" (D1 alone would say "invalid").
    await dbRun("delete from token_families where id = ?", fam);
    expect((await refreshWith(session.refresh)).body).toEqual(BLACKLISTED);
  });
});

describe("POST /api/auth/logout/all/", () => {
  it("revokes every refresh token of the user, including ones issued in the same second", async () => {
    const session = await signedInUser();
    const second = await login(session.username);
    const third = await login(session.username);
    const response = await call("POST", "/api/auth/logout/all/", { token: third.access });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ detail: "Successfully logged out." });
    for (const refresh of [session.refresh, second.refresh, third.refresh]) {
      expect((await refreshWith(refresh)).body).toEqual(BLACKLISTED);
    }
    const fresh = await login(session.username);
    expect(await refreshWith(fresh.refresh)).toMatchObject({ status: 200, body: TOKEN_PAIR });
  });

  it("leaves other users' sessions alone and needs authentication", async () => {
    const alice = await signedInUser();
    const bob = await signedInUser();
    await call("POST", "/api/auth/logout/all/", { token: alice.access });
    expect(await refreshWith(bob.refresh)).toMatchObject({ status: 200, body: TOKEN_PAIR });
    const anonymous = await call("POST", "/api/auth/logout/all/");
    expect(anonymous.status).toBe(401);
    expect(anonymous.body).toEqual({ detail: "Authentication credentials were not provided." });
  });
});
