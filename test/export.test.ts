/** GET /api/auth/profile/export/: complete, streamed, in bounded memory. */
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { ORIGIN, PASSWORD, call, login, newProfile, registerUser, signedInUser } from "./helpers";
import { dbRun } from "./db";

const ISO = expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);

describe("GET /api/auth/profile/export/", () => {
  it("exports the profile, followers, following and sessions as an attachment", async () => {
    const me = await signedInUser();
    const fan = await signedInUser();
    const idol = await signedInUser();
    await call("POST", `/api/auth/follow/${me.id}/`, { token: fan.access });
    await call("POST", `/api/auth/follow/${idol.id}/`, { token: me.access });
    const response = await call("GET", "/api/auth/profile/export/", { token: me.access });
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Disposition")).toBe(`attachment; filename="${me.username}-export.json"`);
    expect(response.headers.get("Content-Type")).toMatch(/^application\/json/);
    const user = (u: typeof me, followers: number, following: number, isFollowing: boolean) => ({
      id: u.id, username: u.username, bio: null, profile_picture: null, followers_count: followers, following_count: following, is_following: isFollowing,
    });
    expect(response.body).toEqual({
      profile: { ...newProfile(me), followers_count: 1, following_count: 1 },
      followers: [user(fan, 0, 1, false)],
      following: [user(idol, 1, 0, true)],
      sessions: [{ id: expect.any(String), created: expect.any(String), last_used: expect.any(String), user_agent: null, current: true }],
      social_accounts: [],
      known_addresses: [{ address: "unknown", last_seen: ISO }],
      two_factor: { enabled: false, recovery_codes_remaining: 0 },
      posts: [],
      comments: [],
      likes: [],
      blocks: [],
      mutes: [],
      notifications: [{ id: expect.any(Number), actor: user(fan, 0, 1, false), verb: "followed you", target: null, read: false, timestamp: ISO }],
      passkeys: [],
    });
  });

  it("exports every known address the service holds, with when it was last seen, in pages", async () => {
    const me = await registerUser();
    for (const ip of ["198.51.100.7", "198.51.100.8"]) {
      expect((await call("POST", "/api/auth/login/", { body: { username: me.username, password: PASSWORD }, headers: { "CF-Connecting-IP": ip } })).status).toBe(200);
    }
    const { access } = await login(me.username);
    const id = (await call("GET", "/api/auth/profile/", { token: access })).body.id as number;
    // Addresses the service still holds, however many: 1,234 more, one of them past the 30 days (not yet swept by the cron).
    await dbRun(
      `with recursive n(i) as (select 1 union all select i + 1 from n where i < 1234)
       insert into known_addresses (user_id, address, last_login_at) select ?, '10.' || (i / 256) || '.' || (i % 256) || '.1', 1700000000000 + i from n`, id);
    const response = await call("GET", "/api/auth/profile/export/", { token: access });
    expect(response.status).toBe(200);
    const known: { address: string; last_seen: string }[] = response.body.known_addresses;
    expect(known).toHaveLength(1237);
    expect(new Set(known.map((entry) => entry.address)).size).toBe(1237);
    for (const entry of known) expect(Object.keys(entry).sort()).toEqual(["address", "last_seen"]);
    expect(known.find((entry) => entry.address === "10.0.1.1")).toEqual({ address: "10.0.1.1", last_seen: new Date(1700000000001).toISOString() });
    expect(known.find((entry) => entry.address === "198.51.100.7")).toEqual({ address: "198.51.100.7", last_seen: ISO });
    expect(known.find((entry) => entry.address === "198.51.100.8")).toEqual({ address: "198.51.100.8", last_seen: ISO });
    expect(known.find((entry) => entry.address === "unknown")).toEqual({ address: "unknown", last_seen: ISO });
    // Another user's addresses are not in it.
    const other = await signedInUser();
    const theirs = await call("GET", "/api/auth/profile/export/", { token: other.access });
    expect(theirs.body.known_addresses).toEqual([{ address: "unknown", last_seen: ISO }]);
    const { schemas } = (await call("GET", "/api/schema/")).body.components;
    expect(schemas.AccountExport.required).toContain("known_addresses");
    expect(schemas.AccountExport.properties.known_addresses).toEqual({ type: "array", items: { $ref: "#/components/schemas/KnownAddress" } });
    expect(schemas.KnownAddress).toMatchObject({
      properties: { address: { type: "string" }, last_seen: { type: "string", format: "date-time" } },
      required: ["address", "last_seen"],
    });
  });

  it("streams 100,000 followers completely, one page at a time", async () => {
    const star = await signedInUser();
    await dbRun(
      `with recursive n(i) as (select 1 union all select i + 1 from n where i < 100000)
       insert into users (username, password, date_joined) select 'exp' || i || '_' || ?, '!', ? from n`, star.id, new Date(0));
    await dbRun("insert into follows (follower_id, followee_id, created_at) select id, ?, ? from users where username like 'exp%\\_' || ? escape '\\' order by id", star.id, new Date(0), star.id);
    await dbRun("update users set followers_count = (select count(*) from follows where followee_id = ?) where id = ?", star.id, star.id);

    const response = await exports.default.fetch(new Request(`${ORIGIN}/api/auth/profile/export/`, { headers: { Authorization: `Bearer ${star.access}` } }));
    expect(response.status).toBe(200);
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let text = "";
    let chunks = 0;
    let largest = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks += 1;
      largest = Math.max(largest, value.byteLength);
      text += decoder.decode(value, { stream: true });
    }
    const exported = JSON.parse(text);
    expect(exported.followers).toHaveLength(100_000);
    expect(new Set(exported.followers.map((user: { id: number }) => user.id)).size).toBe(100_000);
    expect(exported.profile.followers_count).toBe(100_000);
    // Written in pieces no larger than a page of 500 users: the Worker never holds the list whole.
    expect(chunks).toBeGreaterThan(200);
    expect(largest).toBeLessThan(200 * 1024);
    expect(text.length).toBeGreaterThan(10 * 1024 * 1024);
  });
});
