import { describe, expect, it } from "vitest";
import { call, login, signedInUser } from "./helpers";

/** The D1 round trips a response reports in Server-Timing (SERVER_TIMING=1 in the tests). */
function roundTrips(headers: Headers): number {
  const match = /^d1;dur=[\d.]+;desc="(\d+)",d1-rows-read;dur=[\d.]+,total;dur=[\d.]+;desc="total"$/.exec(headers.get("Server-Timing") ?? "");
  expect(match, headers.get("Server-Timing") ?? "no Server-Timing").not.toBeNull();
  return Number(match![1]);
}

/** The rows D1 reports reading for a response (Server-Timing's d1-rows-read). */
function rowsRead(headers: Headers): number {
  return Number(/d1-rows-read;dur=([\d.]+)/.exec(headers.get("Server-Timing") ?? "")![1]);
}

describe("D1 round trips per request (Server-Timing)", () => {
  it("reports the rows D1 read: a page of followers reads about a page, however many there are", async () => {
    const star = await signedInUser();
    const fans = await Promise.all(Array.from({ length: 30 }, () => signedInUser()));
    for (const fan of fans) expect((await call("POST", `/api/auth/follow/${star.id}/`, { token: fan.access })).status).toBe(200);
    const page = await call("GET", `/api/users/${star.id}/followers/?page_size=5`, { token: star.access });
    expect(page.status).toBe(200);
    expect(page.body.results).toHaveLength(5);
    expect(rowsRead(page.headers)).toBeGreaterThan(0);
    expect(rowsRead(page.headers)).toBeLessThan(30);
  });

  it("costs one round trip for every read and for follow, unfollow, block, mute, read-all, login and refresh", async () => {
    const alice = await signedInUser();
    const bob = await signedInUser();
    const cases: [string, string, Record<string, unknown> | undefined, string | undefined][] = [
      ["GET", "/api/auth/profile/", undefined, alice.access],
      ["GET", `/api/users/${bob.id}/`, undefined, alice.access],
      ["GET", `/api/users/${bob.id}/followers/`, undefined, alice.access],
      ["GET", `/api/users/${alice.id}/following/`, undefined, alice.access],
      ["POST", `/api/auth/follow/${bob.id}/`, undefined, alice.access],
      ["POST", `/api/auth/unfollow/${bob.id}/`, undefined, alice.access],
      ["GET", "/api/notifications/", undefined, alice.access],
      ["GET", "/api/notifications/unread-count/", undefined, alice.access],
      ["POST", "/api/notifications/read-all/", undefined, alice.access],
      ["GET", `/api/users/relationships/?id=${bob.id}`, undefined, alice.access],
      ["GET", "/api/auth/blocks/", undefined, alice.access],
      ["GET", "/api/auth/mutes/", undefined, alice.access],
      ["POST", `/api/users/${bob.id}/mute/`, undefined, alice.access],
      ["POST", `/api/users/${bob.id}/unmute/`, undefined, alice.access],
      ["POST", `/api/users/${bob.id}/block/`, undefined, alice.access],
      ["POST", `/api/users/${bob.id}/unblock/`, undefined, alice.access],
      ["POST", "/api/auth/login/", { username: alice.username, password: "correct-horse-battery-42" }, undefined],
      ["POST", "/api/auth/token/refresh/", { refresh: alice.refresh }, undefined],
    ];
    for (const [method, path, body, token] of cases) {
      const response = await call(method, path, { body, token });
      expect(response.status, `${method} ${path}`).toBe(200);
      expect(roundTrips(response.headers), `${method} ${path}`).toBe(1);
    }
  });

  it("counts a batch once and reports the other routes' costs", async () => {
    const admin = await signedInUser();
    const { env } = await import("cloudflare:workers");
    await env.DB.prepare("update users set is_staff = 1 where id = ?").bind(admin.id).run();
    expect(roundTrips((await call("GET", "/api/users/", { token: admin.access })).headers)).toBe(1);
    // Profile updates read the caller and the uniqueness holders, then write: two.
    expect(roundTrips((await call("PATCH", "/api/auth/profile/", { token: admin.access, body: { bio: "x" } })).headers)).toBe(2);
    expect(roundTrips((await call("GET", "/api/nothing/", { token: admin.access })).headers)).toBe(0);
    // An admin's change is one batch: the role is a condition of its writes, not a read before them.
    const target = await signedInUser();
    const deactivated = await call("PATCH", `/api/users/${target.id}/`, { token: admin.access, body: { is_active: false } });
    expect(deactivated.status).toBe(200);
    expect(roundTrips(deactivated.headers)).toBe(1);
    await env.DB.prepare("update users set is_superuser = 1 where id = ?").bind(admin.id).run();
    const deleted = await call("DELETE", `/api/users/${target.id}/`, { token: admin.access });
    expect(deleted.status).toBe(204);
    expect(roundTrips(deleted.headers)).toBe(1);
    // Logout reads where the token stood and revokes its family in one batch.
    const tokens = await login(admin.username);
    const logout = await call("POST", "/api/auth/logout/", { body: { refresh: tokens.refresh } });
    expect(logout.status).toBe(200);
    expect(roundTrips(logout.headers)).toBe(1);
  });
});

describe("D1 sessions and bookmarks", () => {
  it("returns a bookmark on every response and reads at least that far when it is sent back", async () => {
    const session = await signedInUser();
    const write = await call("PATCH", "/api/auth/profile/", { token: session.access, body: { bio: "written" } });
    const bookmark = write.headers.get("x-d1-bookmark");
    expect(bookmark).toMatch(/^[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{32}$/);
    const read = await call("GET", "/api/auth/profile/", { token: session.access, headers: { "x-d1-bookmark": bookmark! } });
    expect(read.status).toBe(200);
    expect(read.body.bio).toBe("written");
    const next = read.headers.get("x-d1-bookmark")!;
    expect(next >= bookmark!).toBe(true);
  });

  it("ignores a malformed bookmark", async () => {
    const session = await signedInUser();
    const response = await call("GET", "/api/auth/profile/", { token: session.access, headers: { "x-d1-bookmark": "not-a-bookmark" } });
    expect(response.status).toBe(200);
    expect(response.headers.get("x-d1-bookmark")).toMatch(/^[0-9a-f]{8}-/);
  });
});
