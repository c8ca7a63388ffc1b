/**
 * An independent party verifying this service's tokens with nothing but its JWKS URL, as the
 * README tells it to: `jose` (createRemoteJWKSet + jwtVerify; issuer, algorithm and typ "at+jwt"
 * checked) and a second, tiny Hono app with `hono/jwk`. Only access tokens pass.
 */
import { webcrypto } from "node:crypto";
import { Hono } from "hono";
import { jwk } from "hono/jwk";
import { createRemoteJWKSet, jwtVerify } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestWorker, request, startTestWorker } from "./local-worker";

const ISSUER = "https://social.example";
const PASSWORD = "independent-party-passphrase-5";

async function privateJwk(alg: "ES256" | "EdDSA") {
  const params = alg === "ES256" ? { name: "ECDSA", namedCurve: "P-256" } : { name: "Ed25519" };
  const pair = (await webcrypto.subtle.generateKey(params, true, ["sign", "verify"])) as webcrypto.CryptoKeyPair;
  const { key_ops: _ops, ext: _ext, ...key } = await webcrypto.subtle.exportKey("jwk", pair.privateKey);
  return { ...key, kid: `${alg}-node`, alg, use: "sig" };
}

describe.each(["ES256", "EdDSA"] as const)("tokens signed with %s", (alg) => {
  let worker: TestWorker;
  let access = "";
  /** Refresh tokens of every standing: replaced by a refresh (revoked), current, and logged out. */
  let refreshTokens: [string, string][] = [];
  beforeAll(async () => {
    worker = await startTestWorker({ JWT_ALGORITHM: alg, JWT_PRIVATE_KEY: JSON.stringify(await privateJwk(alg)), PUBLIC_URL: ISSUER });
    const username = `party${alg.toLowerCase()}`;
    const registered = await request(`${worker.url}/api/auth/register/`, "POST", { username, email: `${username}@example.com`, password: PASSWORD, password2: PASSWORD });
    expect(registered.status).toBe(201);
    const login = await request(`${worker.url}/api/auth/login/`, "POST", { username, password: PASSWORD });
    expect(login.status).toBe(200);
    access = login.body.access;
    const rotated = await request(`${worker.url}/api/auth/token/refresh/`, "POST", { refresh: login.body.refresh });
    expect(rotated.status).toBe(200);
    const other = await request(`${worker.url}/api/auth/login/`, "POST", { username, password: PASSWORD });
    expect((await request(`${worker.url}/api/auth/logout/`, "POST", { refresh: other.body.refresh })).status).toBe(200);
    refreshTokens = [
      ["replaced by a refresh", login.body.refresh],
      ["current", rotated.body.refresh],
      ["logged out", other.body.refresh],
    ];
  });
  afterAll(() => worker?.stop());

  it("verify with jose's createRemoteJWKSet and jwtVerify, issuer, algorithm and typ at+jwt checked", async () => {
    const keys = createRemoteJWKSet(new URL(`${worker.url}/.well-known/jwks.json`));
    // The README's snippet.
    const { payload, protectedHeader } = await jwtVerify(access, keys, { issuer: ISSUER, algorithms: [alg], typ: "at+jwt" });
    expect(protectedHeader).toEqual({ alg, typ: "at+jwt", kid: `${alg}-node` });
    expect(payload).toMatchObject({ token_type: "access", iss: ISSUER, user_id: expect.any(Number), sid: expect.any(String) });
    await expect(jwtVerify(access, keys, { issuer: "https://someone-else.example" })).rejects.toThrow();
    const tampered = `${access.split(".")[0]}.${Buffer.from(JSON.stringify({ ...payload, user_id: Number(payload.user_id) + 1000 })).toString("base64url")}.${access.split(".")[2]}`;
    await expect(jwtVerify(tampered, keys, { issuer: ISSUER })).rejects.toThrow();
  });

  it("refuses every refresh token, revoked or not, verified as the README says; and even a verifier that checks less cannot take one", async () => {
    const keys = createRemoteJWKSet(new URL(`${worker.url}/.well-known/jwks.json`));
    for (const [label, refresh] of refreshTokens) {
      // Signed HS256 with JWT_SECRET: not the published algorithm, and its kid is in no published set.
      await expect(jwtVerify(refresh, keys, { issuer: ISSUER, algorithms: [alg], typ: "at+jwt" }), label).rejects.toMatchObject({ code: "ERR_JOSE_ALG_NOT_ALLOWED" });
      await expect(jwtVerify(refresh, keys, { issuer: ISSUER, algorithms: [alg] }), label).rejects.toMatchObject({ code: "ERR_JOSE_ALG_NOT_ALLOWED" });
      // A verifier checking nothing at all: a key set has no key for an HMAC.
      await expect(jwtVerify(refresh, keys), label).rejects.toMatchObject({ code: "ERR_JOSE_NOT_SUPPORTED" });
    }
    expect((await jwtVerify(access, keys, { issuer: ISSUER, algorithms: [alg], typ: "at+jwt" })).payload).toMatchObject({ token_type: "access" });
  });

  it("verify in another Hono app with hono/jwk and the JWKS URL alone, typ at+jwt and issuer checked", async () => {
    const verification = { typ: "at+jwt", iss: ISSUER };
    const other = new Hono().use("/me", jwk({ jwks_uri: `${worker.url}/.well-known/jwks.json`, alg: [alg], verification })).get("/me", (c) => c.json(c.get("jwtPayload" as never) as object));
    const accepted = await other.request("/me", { headers: { Authorization: `Bearer ${access}` } });
    expect(accepted.status).toBe(200);
    expect(await accepted.json()).toMatchObject({ token_type: "access", iss: ISSUER });
    const forged = `${access.slice(0, -4)}AAAA`;
    expect((await other.request("/me", { headers: { Authorization: `Bearer ${forged}` } })).status).toBe(401);
    for (const [label, refresh] of refreshTokens) expect((await other.request("/me", { headers: { Authorization: `Bearer ${refresh}` } })).status, label).toBe(401);
  });
});
