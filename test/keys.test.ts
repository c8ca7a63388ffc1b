import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import devVarsExample from "../.dev.vars.example?raw";
import { EXAMPLE_JWT_SECRET } from "../src/auth/example-secret";
import worker from "../src/index";
import { INVALID_OR_EXPIRED, call, callWithEnv, decodeJwt, signedInUser, registerUser, PASSWORD, uniqueName } from "./helpers";
import { dbAll, dbRun } from "./db";

const OLD_SECRET = "the-old-signing-secret-0123456789abcdef";
const NEW_SECRET = "the-new-signing-secret-0123456789abcdef";
const INVALID_ACCESS = {
  detail: "Given token not valid for any token type",
  code: "token_not_valid",
  messages: [{ token_class: "AccessToken", token_type: "access", message: "Token is invalid or expired" }],
};

describe("signing-key rotation", () => {
  it("keeps tokens of a retired key valid while it is listed, and refuses them once removed", async () => {
    const { username } = await registerUser();
    const old = await callWithEnv({ JWT_SECRET: OLD_SECRET }, "POST", "/api/auth/login/", { username, password: PASSWORD });
    expect(old.status).toBe(200);

    const rotated = { JWT_SECRET: NEW_SECRET, JWT_SECRETS_PREVIOUS: OLD_SECRET };
    const profile = await callWithEnv(rotated, "GET", "/api/auth/profile/", undefined, old.body.access);
    expect(profile.status).toBe(200);
    const refreshed = await callWithEnv(rotated, "POST", "/api/auth/token/refresh/", { refresh: old.body.refresh });
    expect(refreshed.status).toBe(200);
    // New tokens are signed by the new key.
    expect(decodeJwt(refreshed.body.access).header.kid).not.toBe(decodeJwt(old.body.access).header.kid);

    const retired = { JWT_SECRET: NEW_SECRET, JWT_SECRETS_PREVIOUS: "" };
    const refused = await callWithEnv(retired, "GET", "/api/auth/profile/", undefined, old.body.access);
    expect(refused.status).toBe(401);
    expect(refused.body).toEqual(INVALID_ACCESS);
    expect((await callWithEnv(retired, "GET", "/api/auth/profile/", undefined, refreshed.body.access)).status).toBe(200);
  });

  it("refuses to issue tokens without a JWT_SECRET of at least 32 bytes, without saying why", async () => {
    const { username } = await registerUser();
    for (const secret of [undefined, "short-secret"]) {
      const response = await callWithEnv({ JWT_SECRET: secret }, "POST", "/api/auth/login/", { username, password: PASSWORD });
      expect(response.status).toBe(500);
      expect(response.body).toEqual({ detail: "A server error occurred." });
    }
  });
});

describe("the example JWT_SECRET of .dev.vars.example", () => {
  const SERVER_ERROR = { detail: "A server error occurred." };
  const LOCAL = "http://127.0.0.1:8787";

  it("is the value the example file holds", () => {
    expect(devVarsExample).toContain(`\nJWT_SECRET=${EXAMPLE_JWT_SECRET}\n`);
  });

  it("makes every request answer the server error outside local development, and the log says why", async () => {
    const { username } = await registerUser();
    const session = await signedInUser();
    const deployed = [
      // A real PUBLIC_URL.
      { JWT_SECRET: EXAMPLE_JWT_SECRET, PUBLIC_URL: "https://api.example.com" },
      // A deployment that kept wrangler.toml's PUBLIC_URL: requests still come to its real host.
      { JWT_SECRET: EXAMPLE_JWT_SECRET, PUBLIC_URL: LOCAL },
      // A retired secret verifies tokens, so the example may not be one either.
      { JWT_SECRETS_PREVIOUS: `${NEW_SECRET},${EXAMPLE_JWT_SECRET}` },
    ];
    for (const overrides of deployed) {
      const errors = vi.spyOn(console, "error").mockImplementation(() => {});
      try {
        const requests = [
          call("GET", "/healthz", { env: overrides }),
          call("GET", "/api/schema/", { env: overrides }),
          call("POST", "/api/auth/login/", { env: overrides, body: { username, password: PASSWORD } }),
          call("GET", "/api/auth/profile/", { env: overrides, token: session.access }),
          call("POST", "/api/auth/register/", { env: overrides, body: {} }),
        ];
        for (const response of await Promise.all(requests)) {
          expect(response.status, JSON.stringify(overrides)).toBe(500);
          expect(response.body).toEqual(SERVER_ERROR);
        }
        const logged = errors.mock.calls.map(([line]) => JSON.parse(String(line)));
        expect(logged).toHaveLength(requests.length);
        for (const entry of logged) {
          expect(entry).toMatchObject({
            level: "error",
            error: "ServerMisconfigured",
            message: expect.stringMatching(/^JWT_SECRET or JWT_SECRETS_PREVIOUS is the public example of \.dev\.vars\.example; refusing every request outside local development/),
          });
          expect(JSON.stringify(entry)).not.toContain(EXAMPLE_JWT_SECRET);
        }
      } finally {
        errors.mockRestore();
      }
    }
    // The configuration of the tests, with its own secret, is unaffected.
    expect((await call("POST", "/api/auth/login/", { body: { username, password: PASSWORD } })).status).toBe(200);
  });

  it("works in local development: PUBLIC_URL and the request on localhost or 127.0.0.1", async () => {
    for (const origin of [LOCAL, "http://localhost:8787"]) {
      const local = { JWT_SECRET: EXAMPLE_JWT_SECRET, PUBLIC_URL: origin };
      const username = uniqueName("local");
      const body = { username, email: `${username}@example.com`, password: PASSWORD, password2: PASSWORD };
      expect(await call("POST", "/api/auth/register/", { env: local, origin, body })).toMatchObject({ status: 201, body: { detail: "User registered successfully." } });
      const tokens = await call("POST", "/api/auth/login/", { env: local, origin, body: { username, password: PASSWORD } });
      expect(tokens.status).toBe(200);
      expect(decodeJwt(tokens.body.access).payload.iss).toBe(origin);
      expect((await call("GET", "/api/auth/profile/", { env: local, origin, token: tokens.body.access })).body.username).toBe(username);
    }
  });
});

describe("token lifetimes", () => {
  it("takes ACCESS_TOKEN_LIFETIME and REFRESH_TOKEN_LIFETIME from the variables, with no leeway", async () => {
    const { username } = await registerUser();
    const short = { ACCESS_TOKEN_LIFETIME: "1", REFRESH_TOKEN_LIFETIME: "2" };
    const tokens = await callWithEnv(short, "POST", "/api/auth/login/", { username, password: PASSWORD });
    const access = decodeJwt(tokens.body.access).payload;
    expect(access.exp - access.iat).toBe(1);
    const refresh = decodeJwt(tokens.body.refresh).payload;
    expect(refresh.exp - refresh.iat).toBe(2);
    await new Promise((resolve) => setTimeout(resolve, 2100));
    expect((await callWithEnv(short, "GET", "/api/auth/profile/", undefined, tokens.body.access)).body).toEqual(INVALID_ACCESS);
    expect((await callWithEnv(short, "POST", "/api/auth/token/refresh/", { refresh: tokens.body.refresh })).body).toEqual(INVALID_OR_EXPIRED);
  });
});

describe("the scheduled cleanup", () => {
  it("deletes token families whose last token has expired and keeps live ones", async () => {
    const session = await signedInUser();
    const live = decodeJwt(session.refresh).payload.fam;
    const past = new Date(Date.now() - 1000);
    for (let i = 0; i < 3; i++) {
      await dbRun("insert into token_families (id, user_id, current_jti, created_at, expires_at) values (?, ?, 'j', ?, ?)", `expired-${i}`, session.id, past, past);
    }
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ cron: "17 * * * *" }), env, ctx);
    await waitOnExecutionContext(ctx);
    const rows = await dbAll("select id from token_families where user_id = ?", session.id);
    expect(rows.results).toEqual([{ id: live }]);
  });
});
