/** DELETE /api/auth/profile/: the account goes whole, counters stay equal to the rows, even under races. */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { IMAGES } from "./fixtures/images";
import { PASSWORD, call, callWithEnv, login, refreshWith, signedInUser } from "./helpers";
import { dbAll, dbRow } from "./db";

const remove = (token: string, password: string) => call("DELETE", "/api/auth/profile/", { token, body: { password } });

/** Users whose stored counters differ from their follow rows (none, when all is well). */
async function miscounted() {
  const { results } = await dbAll(
    // The counts are named in an outer query: SQLite lets WHERE use a select's aliases, PostgreSQL does not.
    `select * from (
       select id, followers_count, following_count,
         (select count(*) from follows where followee_id = users.id) as followers,
         (select count(*) from follows where follower_id = users.id) as following
       from users) as counted
     where followers_count <> followers or following_count <> following`);
  return results;
}

describe("DELETE /api/auth/profile/", () => {
  it("deletes the user, their follows both ways with every counter adjusted, their picture and every session", async () => {
    const victim = await signedInUser();
    const fan = await signedInUser();
    const idol = await signedInUser();
    const picture = new FormData();
    picture.set("profile_picture", new File([IMAGES["tiny.png"]], "me.png"));
    const key = (await call("PATCH", "/api/auth/profile/", { token: victim.access, body: picture })).body.profile_picture.split("/media/")[1];
    expect(await env.BUCKET.head(key)).not.toBeNull();
    await call("POST", `/api/auth/follow/${victim.id}/`, { token: fan.access });
    await call("POST", `/api/auth/follow/${idol.id}/`, { token: victim.access });
    const otherDevice = await login(victim.username);

    const response = await remove(victim.access, PASSWORD);
    expect(response.status).toBe(204);
    expect(response.body).toBeUndefined();

    expect(await dbRow("select count(*) as n from users where id = ?", victim.id)).toEqual({ n: 0 });
    expect(await dbRow("select count(*) as n from follows where follower_id = ? or followee_id = ?", victim.id, victim.id)).toEqual({ n: 0 });
    expect(await dbRow("select count(*) as n from token_families where user_id = ?", victim.id)).toEqual({ n: 0 });
    expect((await call("GET", "/api/auth/profile/", { token: fan.access })).body.following_count).toBe(0);
    expect((await call("GET", "/api/auth/profile/", { token: idol.access })).body.followers_count).toBe(0);
    expect(await env.BUCKET.head(key)).toBeNull();
    expect(await call("GET", "/api/auth/profile/", { token: otherDevice.access })).toMatchObject({ status: 401, body: { detail: "User not found", code: "user_not_found" } });
    expect((await refreshWith(otherDevice.refresh)).status).toBe(401);
    expect((await call("POST", "/api/auth/login/", { body: { username: victim.username, password: PASSWORD } })).status).toBe(401);
    expect(await miscounted()).toEqual([]);
  });

  it("refuses a wrong or missing password with DRF's field error, changing nothing, and throttles guesses", async () => {
    const user = await signedInUser();
    const limits = { THROTTLE_PASSWORD_CHECK: "3/900" };
    for (let i = 0; i < 3; i++) {
      const wrong = await callWithEnv(limits, "DELETE", "/api/auth/profile/", { password: `guess-${i}` }, user.access);
      expect(wrong.status).toBe(400);
      expect(wrong.body).toEqual({ password: ["The password is incorrect."] });
    }
    const throttled = await callWithEnv(limits, "DELETE", "/api/auth/profile/", { password: PASSWORD }, user.access);
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get("Retry-After")).toMatch(/^\d+$/);
    const missing = await remove(user.access, "");
    expect(missing).toMatchObject({ status: 400, body: { password: ["This field may not be blank."] } });
    expect((await call("GET", "/api/auth/profile/", { token: user.access })).status).toBe(200);
  });

  it("keeps every counter equal to the rows when follows and unfollows of the user race its deletion", async () => {
    const victim = await signedInUser();
    const others = await Promise.all(Array.from({ length: 8 }, () => signedInUser()));
    await Promise.all(others.slice(0, 4).map((other) => call("POST", `/api/auth/follow/${victim.id}/`, { token: other.access })));
    await Promise.all(others.slice(4).map((other) => call("POST", `/api/auth/follow/${other.id}/`, { token: victim.access })));
    const racing = [
      ...others.map((other) => call("POST", `/api/auth/follow/${victim.id}/`, { token: other.access })),
      ...others.slice(0, 4).map((other) => call("POST", `/api/auth/unfollow/${victim.id}/`, { token: other.access })),
      ...others.slice(4).map((other) => call("POST", `/api/auth/follow/${other.id}/`, { token: victim.access })),
      remove(victim.access, PASSWORD),
    ];
    const responses = await Promise.all(racing);
    expect(responses.at(-1)!.status).toBe(204);
    // Each racing request either landed before the deletion or found nobody: never a 5xx.
    for (const response of responses) expect([200, 204, 401, 404]).toContain(response.status);
    expect(await miscounted()).toEqual([]);
    expect(await dbRow("select count(*) as n from follows where follower_id = ? or followee_id = ?", victim.id, victim.id)).toEqual({ n: 0 });
  });

  it("needs authentication, and an ended session cannot delete", async () => {
    expect((await call("DELETE", "/api/auth/profile/", { body: { password: PASSWORD } })).status).toBe(401);
    const user = await signedInUser();
    await call("POST", "/api/auth/logout/", { body: { refresh: user.refresh } });
    expect((await remove(user.access, PASSWORD)).status).toBe(401);
    expect(await dbRow("select count(*) as n from users where id = ?", user.id)).toEqual({ n: 1 });
  });
});
