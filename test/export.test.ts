/** GET /api/auth/profile/export/: complete, streamed, in bounded memory. */
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { ORIGIN, call, newProfile, signedInUser } from "./helpers";

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
    });
  });

  it("streams 100,000 followers completely, one page at a time", async () => {
    const star = await signedInUser();
    await env.DB.prepare(
      `with recursive n(i) as (select 1 union all select i + 1 from n where i < 100000)
       insert into users (username, password, date_joined) select 'exp' || i || '_' || ?, '!', 0 from n`,
    ).bind(star.id).run();
    await env.DB.prepare("insert into follows (follower_id, followee_id, created_at) select id, ?, 0 from users where username like 'exp%\\_' || ? escape '\\' order by id")
      .bind(star.id, star.id).run();
    await env.DB.prepare("update users set followers_count = (select count(*) from follows where followee_id = ?) where id = ?").bind(star.id, star.id).run();

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
