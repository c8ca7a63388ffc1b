import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../src/index";
import { INVALID_OR_EXPIRED, callWithEnv, decodeJwt, signedInUser, registerUser, PASSWORD } from "./helpers";

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
    const past = Date.now() - 1000;
    for (let i = 0; i < 3; i++) {
      await env.DB.prepare("insert into token_families (id, user_id, current_jti, created_at, expires_at) values (?, ?, 'j', ?, ?)")
        .bind(`expired-${i}`, session.id, past, past)
        .run();
    }
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ cron: "17 * * * *" }), env, ctx);
    await waitOnExecutionContext(ctx);
    const rows = await env.DB.prepare("select id from token_families where user_id = ?").bind(session.id).all();
    expect(rows.results).toEqual([{ id: live }]);
  });
});
