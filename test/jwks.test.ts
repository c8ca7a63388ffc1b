/** Asymmetric tokens (ES256, EdDSA), the published key set, key rotation and forgeries. */
import { env as testEnv } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { configFrom } from "../src/config";
import { INVALID_OR_EXPIRED, PASSWORD, type Sent, callWithEnv, decodeJwt, registerUser } from "./helpers";

type Alg = "ES256" | "EdDSA";
const GENERATE: Record<Alg, { name: string; namedCurve?: string }> = { ES256: { name: "ECDSA", namedCurve: "P-256" }, EdDSA: { name: "Ed25519" } };

/** A new key pair as JWKs, as `npm run keys` makes them. */
async function keyPair(alg: Alg, kid: string) {
  const pair = (await crypto.subtle.generateKey(GENERATE[alg] as SubtleCryptoGenerateKeyAlgorithm, true, ["sign", "verify"])) as CryptoKeyPair;
  const { key_ops: _ops, ext: _ext, ...jwk } = (await crypto.subtle.exportKey("jwk", pair.privateKey)) as JsonWebKey;
  const { d: _d, ...publicJwk } = jwk;
  return { private: { ...jwk, kid, alg, use: "sig" }, public: { ...publicJwk, kid, alg, use: "sig" } };
}

const BAD_TOKEN = {
  detail: "Given token not valid for any token type",
  code: "token_not_valid",
  messages: [{ token_class: "AccessToken", token_type: "access", message: "Token is invalid or expired" }],
};

const b64url = (bytes: ArrayBuffer | Uint8Array) =>
  btoa(String.fromCharCode(...new Uint8Array(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes)))).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
const part = (value: object) => b64url(new TextEncoder().encode(JSON.stringify(value)));

async function loginWith(env: Record<string, string>) {
  const { username } = await registerUser();
  const response = await callWithEnv(env, "POST", "/api/auth/login/", { username, password: PASSWORD });
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return response.body as { access: string; refresh: string };
}

const profileWith = (env: Record<string, string>, token: string): Promise<Sent> => callWithEnv(env, "GET", "/api/auth/profile/", undefined, token);

const SIGN = { ES256: { import: { name: "ECDSA", namedCurve: "P-256" }, sign: { name: "ECDSA", hash: "SHA-256" } }, EdDSA: { import: { name: "Ed25519" }, sign: { name: "Ed25519" } } };

/** Signs `claims` under `header` with a private JWK, as this service's key would. */
async function signAsymmetric(jwk: JsonWebKey, alg: Alg, header: object, claims: object) {
  const { kid: _kid, alg: _alg, use: _use, ...material } = jwk as JsonWebKey & { kid: string; use: string };
  const key = await crypto.subtle.importKey("jwk", material, SIGN[alg].import, false, ["sign"]);
  const input = `${part(header)}.${part(claims)}`;
  return `${input}.${b64url(await crypto.subtle.sign(SIGN[alg].sign, key, new TextEncoder().encode(input)))}`;
}

/** Signs `claims` under `header` with an HMAC secret. */
async function signHmac(secret: string, header: object, claims: object) {
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const input = `${part(header)}.${part(claims)}`;
  return `${input}.${b64url(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(input)))}`;
}

/** Whether a public JWK of the key set verifies `token`'s signature. */
async function verifiesWith(jwk: JsonWebKey, alg: Alg, token: string) {
  const { kid: _kid, alg: _alg, use: _use, ...material } = jwk as JsonWebKey & { kid: string; use: string };
  const key = await crypto.subtle.importKey("jwk", material, SIGN[alg].import, false, ["verify"]);
  const [h, p, s] = token.split(".");
  const signature = Uint8Array.from(atob(s!.replaceAll("-", "+").replaceAll("_", "/")), (c) => c.charCodeAt(0));
  // An HMAC's 32 bytes are not even an Ed25519 signature's length: Web Crypto throws, which is a "no" too.
  return crypto.subtle.verify(SIGN[alg].sign, key, signature, new TextEncoder().encode(`${h}.${p}`)).catch(() => false);
}

describe.each(["ES256", "EdDSA"] as const)("JWT_ALGORITHM=%s", (alg) => {
  it("signs tokens other services can verify with the published key, and verifies them itself", async () => {
    const key = await keyPair(alg, `${alg}-one`);
    const env = { JWT_ALGORITHM: alg, JWT_PRIVATE_KEY: JSON.stringify(key.private) };
    const tokens = await loginWith(env);
    const { header, payload } = decodeJwt(tokens.access);
    expect(header).toEqual({ alg, typ: "at+jwt", kid: `${alg}-one` });
    expect(payload).toMatchObject({ token_type: "access", iss: "http://api.test" });
    expect((await profileWith(env, tokens.access)).status).toBe(200);
    expect((await callWithEnv(env, "POST", "/api/auth/token/refresh/", { refresh: tokens.refresh })).status).toBe(200);

    const jwks = await callWithEnv(env, "GET", "/.well-known/jwks.json");
    expect(jwks.status).toBe(200);
    expect(jwks.headers.get("Cache-Control")).toBe("public, max-age=300");
    expect(jwks.body).toEqual({ keys: [key.public] });
    expect(JSON.stringify(jwks.body)).not.toContain('"d"');

    // An independent check of the signature with the published key alone.
    const [h, p, s] = tokens.access.split(".");
    const params = alg === "ES256" ? { name: "ECDSA", namedCurve: "P-256" } : { name: "Ed25519" };
    const publicKey = await crypto.subtle.importKey("jwk", jwks.body.keys[0], params, false, ["verify"]);
    const signature = Uint8Array.from(atob(s!.replaceAll("-", "+").replaceAll("_", "/")), (c) => c.charCodeAt(0));
    const verifyParams = alg === "ES256" ? { name: "ECDSA", hash: "SHA-256" } : { name: "Ed25519" };
    expect(await crypto.subtle.verify(verifyParams, publicKey, signature, new TextEncoder().encode(`${h}.${p}`))).toBe(true);
  });

  it("signs only access tokens with the published key: refresh tokens are HS256 with JWT_SECRET, which the key set cannot verify", async () => {
    const key = await keyPair(alg, `${alg}-split`);
    const env = { JWT_ALGORITHM: alg, JWT_PRIVATE_KEY: JSON.stringify(key.private) };
    const tokens = await loginWith(env);
    const secretKid = configFrom(testEnv).currentKey!.kid;
    expect(decodeJwt(tokens.access).header).toEqual({ alg, typ: "at+jwt", kid: `${alg}-split` });
    expect(decodeJwt(tokens.refresh)).toMatchObject({ header: { alg: "HS256", typ: "JWT", kid: secretKid }, payload: { token_type: "refresh" } });
    // No key of the published set has the refresh token's kid, and none verifies its signature.
    const jwks = (await callWithEnv(env, "GET", "/.well-known/jwks.json")).body;
    expect(jwks.keys.map((jwk: { kid: string }) => jwk.kid)).not.toContain(secretKid);
    expect(await verifiesWith(jwks.keys[0], alg, tokens.refresh)).toBe(false);
    expect(await verifiesWith(jwks.keys[0], alg, tokens.access)).toBe(true);
    // Here, both keep working for what they are: the refresh token refreshes (into the same split) and the access token authenticates.
    const refreshed = await callWithEnv(env, "POST", "/api/auth/token/refresh/", { refresh: tokens.refresh });
    expect(refreshed.status).toBe(200);
    expect(decodeJwt(refreshed.body.refresh).header).toEqual({ alg: "HS256", typ: "JWT", kid: secretKid });
    expect(decodeJwt(refreshed.body.access).header).toEqual({ alg, typ: "at+jwt", kid: `${alg}-split` });
    expect((await profileWith(env, refreshed.body.access)).status).toBe(200);
    expect(await callWithEnv(env, "POST", "/api/auth/token/verify/", { token: refreshed.body.refresh })).toMatchObject({ status: 200, body: {} });
    expect(await callWithEnv(env, "POST", "/api/auth/token/verify/", { token: refreshed.body.access })).toMatchObject({ status: 200, body: {} });
  });

  it("refuses a token whose type does not match its key: refresh claims under the published key (as issued before), access claims under JWT_SECRET or without typ at+jwt", async () => {
    const key = await keyPair(alg, `${alg}-typed`);
    const env = { JWT_ALGORITHM: alg, JWT_PRIVATE_KEY: JSON.stringify(key.private) };
    const tokens = await loginWith(env);
    const access = decodeJwt(tokens.access).payload;
    const refresh = decodeJwt(tokens.refresh).payload;
    const secret = configFrom(testEnv).currentKey!;
    // A refresh token as this service signed them before: the published key, typ JWT. Users of such a token log in again.
    const oldRefresh = await signAsymmetric(key.private, alg, { alg, typ: "JWT", kid: `${alg}-typed` }, refresh);
    expect(await callWithEnv(env, "POST", "/api/auth/token/refresh/", { refresh: oldRefresh })).toMatchObject({ status: 401, body: INVALID_OR_EXPIRED });
    expect(await callWithEnv(env, "POST", "/api/auth/token/verify/", { token: oldRefresh })).toMatchObject({ status: 401, body: INVALID_OR_EXPIRED });
    expect(await callWithEnv(env, "POST", "/api/auth/logout/", { refresh: oldRefresh })).toMatchObject({ status: 401, body: INVALID_OR_EXPIRED });
    // Refresh claims with typ at+jwt under the published key: still not a refresh token.
    const typedRefresh = await signAsymmetric(key.private, alg, { alg, typ: "at+jwt", kid: `${alg}-typed` }, refresh);
    expect(await callWithEnv(env, "POST", "/api/auth/token/refresh/", { refresh: typedRefresh })).toMatchObject({ status: 401, body: INVALID_OR_EXPIRED });
    // Access claims: without typ at+jwt (as issued before), or signed with JWT_SECRET, they are not access tokens.
    const forged: [string, string][] = [
      ["the published key, typ JWT", await signAsymmetric(key.private, alg, { alg, typ: "JWT", kid: `${alg}-typed` }, access)],
      ["the published key, no typ", await signAsymmetric(key.private, alg, { alg, kid: `${alg}-typed` }, access)],
      ["JWT_SECRET, typ at+jwt", await signHmac(secret.secret, { alg: "HS256", typ: "at+jwt", kid: secret.kid }, access)],
      ["JWT_SECRET, typ JWT", await signHmac(secret.secret, { alg: "HS256", typ: "JWT", kid: secret.kid }, access)],
    ];
    for (const [label, token] of forged) {
      const response = await profileWith(env, token);
      expect(response.status, label).toBe(401);
      expect(response.body, label).toEqual(BAD_TOKEN);
    }
    // The genuine pair is untouched by all of this.
    expect((await profileWith(env, tokens.access)).status).toBe(200);
    expect((await callWithEnv(env, "POST", "/api/auth/token/refresh/", { refresh: tokens.refresh })).status).toBe(200);
    // A refresh token given as an access token is still told apart by its type, as simplejwt words it.
    expect(await callWithEnv(env, "POST", "/api/auth/logout/", { refresh: tokens.access })).toMatchObject({ status: 401, body: { detail: "Token has wrong type", code: "token_not_valid" } });
  });

  it("rotates: the old key verifies while it is listed as previous, new tokens carry the new kid, and a removed key's tokens are refused", async () => {
    const old = await keyPair(alg, `${alg}-old`);
    const next = await keyPair(alg, `${alg}-new`);
    const before = { JWT_ALGORITHM: alg, JWT_PRIVATE_KEY: JSON.stringify(old.private) };
    const during = { JWT_ALGORITHM: alg, JWT_PRIVATE_KEY: JSON.stringify(next.private), JWT_PUBLIC_KEYS_PREVIOUS: JSON.stringify([old.public]) };
    const after = { JWT_ALGORITHM: alg, JWT_PRIVATE_KEY: JSON.stringify(next.private) };
    const oldTokens = await loginWith(before);
    expect((await profileWith(during, oldTokens.access)).status).toBe(200);
    const newTokens = await loginWith(during);
    expect(decodeJwt(newTokens.access).header.kid).toBe(`${alg}-new`);
    expect((await callWithEnv(during, "GET", "/.well-known/jwks.json")).body).toEqual({ keys: [next.public, old.public] });
    const refused = await profileWith(after, oldTokens.access);
    expect(refused.status).toBe(401);
    expect(refused.body).toEqual(BAD_TOKEN);
    expect((await profileWith(after, newTokens.access)).status).toBe(200);
  });

  it("refuses forgeries: HS256 keyed with the public key, alg none, an unknown kid, another algorithm, a foreign key", async () => {
    const key = await keyPair(alg, `${alg}-real`);
    const env = { JWT_ALGORITHM: alg, JWT_PRIVATE_KEY: JSON.stringify(key.private) };
    const tokens = await loginWith(env);
    const claims = decodeJwt(tokens.access).payload;
    const hmac = async (secret: string, header: object) => {
      const input = `${part(header)}.${part(claims)}`;
      const k = await crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
      return `${input}.${b64url(await crypto.subtle.sign("HMAC", k, new TextEncoder().encode(input)))}`;
    };
    const other = await keyPair(alg === "ES256" ? "EdDSA" : "ES256", `${alg}-real`);
    const foreign = await keyPair(alg, `${alg}-real`);
    const signWith = async (jwk: JsonWebKey, algorithm: Alg) => {
      const input = `${part({ alg: algorithm, typ: "JWT", kid: `${alg}-real` })}.${part(claims)}`;
      const params = algorithm === "ES256" ? { name: "ECDSA", namedCurve: "P-256" } : { name: "Ed25519" };
      const { kid: _kid, alg: _alg, use: _use, ...material } = jwk as JsonWebKey & { kid: string; use: string };
      const k = await crypto.subtle.importKey("jwk", material, params, false, ["sign"]);
      const signParams = algorithm === "ES256" ? { name: "ECDSA", hash: "SHA-256" } : { name: "Ed25519" };
      return `${input}.${b64url(await crypto.subtle.sign(signParams, k, new TextEncoder().encode(input)))}`;
    };
    const forgeries: [string, string][] = [
      ["HS256 keyed with the public JWK", await hmac(JSON.stringify(key.public), { alg: "HS256", typ: "JWT", kid: `${alg}-real` })],
      ["HS256 keyed with the public x", await hmac(String(key.public.x), { alg: "HS256", typ: "JWT", kid: `${alg}-real` })],
      ["alg none", `${part({ alg: "none", typ: "JWT", kid: `${alg}-real` })}.${part(claims)}.`],
      ["unknown kid", tokens.access.replace(tokens.access.split(".")[0]!, part({ alg, typ: "JWT", kid: "nobody" }))],
      ["the other algorithm", await signWith(other.private, alg === "ES256" ? "EdDSA" : "ES256")],
      ["a foreign key under the real kid", await signWith(foreign.private, alg)],
    ];
    for (const [label, forged] of forgeries) {
      const response = await profileWith(env, forged);
      expect(response.status, label).toBe(401);
      expect(response.body, label).toEqual(BAD_TOKEN);
    }
    // And an HS256 token made with JWT_SECRET is no longer accepted once ES256/EdDSA is configured.
    const hsTokens = await loginWith({ JWT_ALGORITHM: "HS256" });
    expect((await profileWith(env, hsTokens.access)).body).toEqual(BAD_TOKEN);
  });
});

describe("the key set and key handling", () => {
  it("publishes no key with HS256", async () => {
    const jwks = await callWithEnv({}, "GET", "/.well-known/jwks.json");
    expect(jwks.status).toBe(200);
    expect(jwks.body).toEqual({ keys: [] });
  });

  it("never publishes a private part given as a previous key", async () => {
    const current = await keyPair("EdDSA", "current");
    const leaked = await keyPair("EdDSA", "leaked");
    const env = { JWT_ALGORITHM: "EdDSA", JWT_PRIVATE_KEY: JSON.stringify(current.private), JWT_PUBLIC_KEYS_PREVIOUS: JSON.stringify([leaked.private]) };
    const jwks = await callWithEnv(env, "GET", "/.well-known/jwks.json");
    expect(jwks.body).toEqual({ keys: [current.public] });
  });

  it("imports each key once per isolate, not per request", async () => {
    const key = await keyPair("ES256", "cached");
    const env = { JWT_ALGORITHM: "ES256", JWT_PRIVATE_KEY: JSON.stringify(key.private) };
    const tokens = await loginWith(env);
    await profileWith(env, tokens.access);
    const imports = vi.spyOn(crypto.subtle, "importKey");
    try {
      for (let i = 0; i < 5; i++) expect((await profileWith(env, tokens.access)).status).toBe(200);
      await loginWith(env);
      expect(imports).not.toHaveBeenCalled();
    } finally {
      imports.mockRestore();
    }
  });

  it("refuses to issue tokens with a private key that does not fit the algorithm, saying why only in the log", async () => {
    const key = await keyPair("ES256", "wrong-kind");
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      const { username } = await registerUser();
      const response = await callWithEnv({ JWT_ALGORITHM: "EdDSA", JWT_PRIVATE_KEY: JSON.stringify(key.private) }, "POST", "/api/auth/login/", { username, password: PASSWORD });
      expect(response.status).toBe(500);
      expect(response.body).toEqual({ detail: "A server error occurred." });
      expect(logged.mock.calls.map(([line]) => String(line)).join("\n")).toContain("JWT_PRIVATE_KEY must be a private Ed25519 JWK with a kid");
    } finally {
      logged.mockRestore();
    }
  });
});
