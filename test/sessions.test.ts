/** GET /api/auth/sessions/ and DELETE /api/auth/sessions/<id>/: a user's devices, and ending one at once. */
import { describe, expect, it } from "vitest";
import { BLACKLISTED, PASSWORD, call, decodeJwt, refreshWith, registerUser } from "./helpers";

const ISO = expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
const BAD_TOKEN = {
  detail: "Given token not valid for any token type",
  code: "token_not_valid",
  messages: [{ token_class: "AccessToken", token_type: "access", message: "Token is invalid or expired" }],
};

async function loginFrom(username: string, userAgent?: string) {
  const response = await call("POST", "/api/auth/login/", { body: { username, password: PASSWORD }, headers: userAgent ? { "User-Agent": userAgent } : {} });
  expect(response.status).toBe(200);
  const tokens = response.body as { access: string; refresh: string };
  return { ...tokens, sid: decodeJwt(tokens.access).payload.sid as string };
}

describe("GET /api/auth/sessions/", () => {
  it("lists the caller's live sessions newest first, with their devices and which one is current", async () => {
    const { username } = await registerUser();
    const phone = await loginFrom(username, "Phone/1.0");
    await new Promise((resolve) => setTimeout(resolve, 5));
    const laptop = await loginFrom(username, `Laptop/2.0 ${"x".repeat(300)}`);
    const response = await call("GET", "/api/auth/sessions/", { token: phone.access });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      results: [
        { id: laptop.sid, created: ISO, last_used: ISO, user_agent: `Laptop/2.0 ${"x".repeat(189)}`, current: false },
        { id: phone.sid, created: ISO, last_used: ISO, user_agent: "Phone/1.0", current: true },
      ],
    });
    expect(response.body.results[0].user_agent).toHaveLength(200);
  });

  it("moves last_used on each refresh, and drops sessions that ended", async () => {
    const { username } = await registerUser();
    const first = await loginFrom(username);
    const second = await loginFrom(username);
    const before = (await call("GET", "/api/auth/sessions/", { token: first.access })).body.results.find((s: { id: string }) => s.id === first.sid);
    expect(before.user_agent).toBeNull();
    await new Promise((resolve) => setTimeout(resolve, 5));
    const refreshed = await refreshWith(first.refresh);
    const after = (await call("GET", "/api/auth/sessions/", { token: refreshed.body.access })).body.results.find((s: { id: string }) => s.id === first.sid);
    expect(after.created).toBe(before.created);
    expect(Date.parse(after.last_used)).toBeGreaterThan(Date.parse(before.last_used));
    await call("POST", "/api/auth/logout/", { body: { refresh: second.refresh } });
    const listed = await call("GET", "/api/auth/sessions/", { token: refreshed.body.access });
    expect(listed.body.results.map((s: { id: string }) => s.id)).toEqual([first.sid]);
  });

  it("needs authentication", async () => {
    const response = await call("GET", "/api/auth/sessions/");
    expect(response).toMatchObject({ status: 401, body: { detail: "Authentication credentials were not provided." } });
  });
});

describe("DELETE /api/auth/sessions/<id>/", () => {
  it("ends another device's session at once: its access and refresh tokens are refused", async () => {
    const { username } = await registerUser();
    const mine = await loginFrom(username, "Mine");
    const stolen = await loginFrom(username, "Stolen");
    const ended = await call("DELETE", `/api/auth/sessions/${stolen.sid}/`, { token: mine.access });
    expect(ended.status).toBe(204);
    expect(ended.body).toBeUndefined();
    expect(await call("GET", "/api/auth/profile/", { token: stolen.access })).toMatchObject({ status: 401, body: BAD_TOKEN });
    expect(await refreshWith(stolen.refresh)).toMatchObject({ status: 401, body: BLACKLISTED });
    expect((await call("GET", "/api/auth/profile/", { token: mine.access })).status).toBe(200);
    expect((await call("GET", "/api/auth/sessions/", { token: mine.access })).body.results.map((s: { id: string }) => s.id)).toEqual([mine.sid]);
  });

  it("ends the current session too", async () => {
    const { username } = await registerUser();
    const session = await loginFrom(username);
    expect((await call("DELETE", `/api/auth/sessions/${session.sid}`, { token: session.access })).status).toBe(204);
    expect(await call("GET", "/api/auth/sessions/", { token: session.access })).toMatchObject({ status: 401, body: BAD_TOKEN });
  });

  it("answers 404 for another user's session, an unknown id, an ended one and a malformed one, ending nothing", async () => {
    const alice = await registerUser();
    const bob = await registerUser();
    const aliceSession = await loginFrom(alice.username);
    const bobSession = await loginFrom(bob.username);
    const ended = await loginFrom(alice.username);
    await call("POST", "/api/auth/logout/", { body: { refresh: ended.refresh } });
    for (const id of [bobSession.sid, "0".repeat(32), ended.sid, "not-a-session", "x".repeat(500)]) {
      const response = await call("DELETE", `/api/auth/sessions/${id}/`, { token: aliceSession.access });
      expect(response.status, id.slice(0, 12)).toBe(404);
      expect(response.body).toEqual({ detail: "Not found." });
    }
    expect((await call("GET", "/api/auth/profile/", { token: bobSession.access })).status).toBe(200);
  });
});
