import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { sign } from "hono/jwt";
import { secretAsJwk } from "../src/auth/jwt-keys";
import { signClaims } from "../src/auth/tokens";
import { configFrom } from "../src/config";
import { call, callWithEnv, decodeJwt, signedInUser, setFlags } from "./helpers";
import { dbRun } from "./db";

const NOT_PROVIDED = { detail: "Authentication credentials were not provided." };
const BAD_HEADER = { detail: "Authorization header must contain two space-delimited values", code: "bad_authorization_header" };
const badToken = (message: string) => ({
  detail: "Given token not valid for any token type",
  code: "token_not_valid",
  messages: [{ token_class: "AccessToken", token_type: "access", message }],
});
const INVALID = badToken("Token is invalid or expired");

const profile = (authorization?: string) =>
  call("GET", "/api/auth/profile/", { headers: authorization === undefined ? {} : { Authorization: authorization } });

const base64url = (value: unknown) => btoa(JSON.stringify(value)).replaceAll("=", "").replaceAll("+", "-").replaceAll("/", "_");

/** Claims of a valid access token of `session` (its user and login session), with `overrides`. */
async function claimsFor(session: { id: number; access: string }, overrides: Record<string, unknown> = {}) {
  const now = Math.floor(Date.now() / 1000);
  const { sid } = decodeJwt(session.access).payload;
  return { token_type: "access", exp: now + 300, iat: now, jti: crypto.randomUUID(), user_id: session.id, sid, ...overrides };
}

describe("the Bearer check", () => {
  it("answers 401 'not provided' without an Authorization header or with another scheme", async () => {
    for (const header of [undefined, "", "Token abc", "Basic dXNlcjpwYXNz", "bearer abc"]) {
      const response = await profile(header);
      expect(response.status, String(header)).toBe(401);
      expect(response.body).toEqual(NOT_PROVIDED);
      expect(response.headers.get("WWW-Authenticate")).toBe('Bearer realm="api"');
    }
  });

  it("answers bad_authorization_header for 'Bearer' alone or more than two parts", async () => {
    for (const header of ["Bearer", "Bearer a b", "Bearer  a  b  c"]) {
      const response = await profile(header);
      expect(response.status, header).toBe(401);
      expect(response.body).toEqual(BAD_HEADER);
    }
  });

  it("answers token_not_valid for garbage, a tampered payload and a foreign key", async () => {
    const session = await signedInUser();
    const [header, payload, signature] = session.access.split(".");
    const tampered = `${header}.${base64url({ ...JSON.parse(atob(payload!.replaceAll("-", "+").replaceAll("_", "/"))), user_id: session.id + 1000 })}.${signature}`;
    const foreign = await signClaims({ kid: JSON.parse(atob(header!)).kid, secret: "another-secret-of-at-least-32-bytes!!" }, await claimsFor(session));
    for (const token of ["garbage", "a.b.c", tampered, foreign, `${session.access}x`]) {
      const response = await profile(`Bearer ${token}`);
      expect(response.status).toBe(401);
      expect(response.body).toEqual(INVALID);
      expect(response.headers.get("WWW-Authenticate")).toBe('Bearer realm="api"');
    }
  });

  it("refuses alg none, other algorithms and an unknown kid", async () => {
    const session = await signedInUser();
    const claims = base64url(await claimsFor(session));
    const kid = JSON.parse(atob(session.access.split(".")[0]!)).kid;
    const none = `${base64url({ alg: "none", typ: "JWT", kid })}.${claims}.`;
    const hs512 = `${base64url({ alg: "HS512", typ: "JWT", kid })}.${claims}.${session.access.split(".")[2]}`;
    const key = configFrom(env).currentKey!;
    const unknownKid = await signClaims({ kid: "unknown-kid", secret: key.secret }, await claimsFor(session));
    // Right key and claims, but the header does not say "at+jwt" (RFC 9068): only a refresh token looks like that.
    const plainTyp = await sign(await claimsFor(session), secretAsJwk(key));
    expect(decodeJwt(plainTyp).header).toEqual({ alg: "HS256", typ: "JWT", kid: key.kid });
    expect((await profile(`Bearer ${await signClaims(key, await claimsFor(session))}`)).status).toBe(200);
    for (const token of [none, hs512, unknownKid, plainTyp]) {
      const response = await profile(`Bearer ${token}`);
      expect(response.body).toEqual(INVALID);
    }
  });

  it("refuses expired and not-yet-valid tokens without leeway", async () => {
    const session = await signedInUser();
    const key = configFrom(env).currentKey!;
    const now = Math.floor(Date.now() / 1000);
    const expired = await signClaims(key, await claimsFor(session, { exp: now - 1, iat: now - 301 }));
    const future = await signClaims(key, await claimsFor(session, { iat: now + 120 }));
    const notBefore = await signClaims(key, await claimsFor(session, { nbf: now + 120 }));
    const noExpiry = await signClaims(key, { token_type: "access", iat: now, jti: "x", user_id: session.id, sid: decodeJwt(session.access).payload.sid });
    // The same claims, valid in time, are accepted: the refusals below are for their times alone.
    expect((await profile(`Bearer ${await signClaims(key, await claimsFor(session))}`)).status).toBe(200);
    for (const token of [expired, future, notBefore, noExpiry]) {
      expect((await profile(`Bearer ${token}`)).body).toEqual(INVALID);
    }
  });

  it("refuses a refresh token as an access token", async () => {
    const session = await signedInUser();
    const response = await profile(`Bearer ${session.refresh}`);
    expect(response.status).toBe(401);
    expect(response.body).toEqual(badToken("Token has wrong type"));
  });

  it("refuses the token of a user since deactivated or deleted", async () => {
    const inactive = await signedInUser();
    await setFlags(inactive.id, { isActive: false });
    const refused = await profile(`Bearer ${inactive.access}`);
    expect(refused.status).toBe(401);
    expect(refused.body).toEqual({ detail: "User is inactive", code: "user_inactive" });

    const deleted = await signedInUser();
    await dbRun("delete from users where id = ?", deleted.id);
    const gone = await profile(`Bearer ${deleted.access}`);
    expect(gone.status).toBe(401);
    expect(gone.body).toEqual({ detail: "User not found", code: "user_not_found" });
  });

  it("accepts a token it has verified before, yet refuses its tampered copies, other keys' isolates and its ended session", async () => {
    const session = await signedInUser();
    const [header, payload, signature] = session.access.split(".");
    const expected = { id: session.id, username: session.username };
    for (let i = 0; i < 3; i++) expect((await profile(`Bearer ${session.access}`)).body).toMatchObject(expected);
    // Remembered tokens are matched whole: a copy with another signature or payload is checked, and fails.
    const forged = `${header}.${payload}.${signature!.slice(0, -2)}AA`;
    const widened = `${header}.${base64url({ ...decodeJwt(session.access).payload, user_id: session.id + 1 })}.${signature}`;
    for (const token of [forged, widened]) expect((await profile(`Bearer ${token}`)).body).toEqual(INVALID);
    // Another configuration (another JWT_SECRET) never sees what this one verified.
    const otherKeys = await callWithEnv({ JWT_SECRET: "a-different-secret-of-at-least-32-bytes" }, "GET", "/api/auth/profile/", undefined, session.access);
    expect(otherKeys.status).toBe(401);
    expect(otherKeys.body).toEqual(INVALID);
    // Ending the session refuses the remembered token on its next use: the guard asks D1 every time.
    expect((await call("POST", "/api/auth/logout/all/", { token: session.access })).status).toBe(200);
    const ended = await profile(`Bearer ${session.access}`);
    expect(ended.status).toBe(401);
    expect(ended.body).toEqual(INVALID);
  });

  it("applies to every protected route", async () => {
    const routes: [string, string][] = [
      ["GET", "/api/auth/profile/"],
      ["PATCH", "/api/auth/profile/"],
      ["PUT", "/api/auth/profile/"],
      ["POST", "/api/auth/follow/1/"],
      ["POST", "/api/auth/unfollow/1/"],
      ["GET", "/api/users/"],
      ["GET", "/api/users/1/"],
      ["GET", "/api/users/1/followers/"],
      ["GET", "/api/users/1/following/"],
    ];
    for (const [method, path] of routes) {
      const response = await call(method, path);
      expect(response.status, `${method} ${path}`).toBe(401);
      expect(response.body).toEqual(NOT_PROVIDED);
    }
  });
});
