import { describe, expect, it } from "vitest";
import { ORIGIN, call, lastLoginLanded, newProfile, signedInUser, setFlags } from "./helpers";
import { dbRow, dbRun } from "./db";

const get = (path: string, token: string) => call("GET", path, { token });

describe("GET /api/users/<id>/", () => {
  it("answers the public user with is_following from the caller's side", async () => {
    const alice = await signedInUser();
    const bob = await signedInUser();
    await call("POST", `/api/auth/follow/${bob.id}/`, { token: alice.access });
    const seenByAlice = await get(`/api/users/${bob.id}/`, alice.access);
    expect(seenByAlice.status).toBe(200);
    expect(seenByAlice.body).toEqual({
      id: bob.id,
      username: bob.username,
      bio: null,
      profile_picture: null,
      followers_count: 1,
      following_count: 0,
      is_following: true,
    });
    const seenByBob = await get(`/api/users/${alice.id}`, bob.access);
    expect(seenByBob.body).toMatchObject({ id: alice.id, following_count: 1, is_following: false });
  });

  it("answers 404 for unknown and non-integer ids", async () => {
    const alice = await signedInUser();
    for (const id of ["999999", "x1", "123456789012345678901234567890"]) {
      const response = await get(`/api/users/${id}/`, alice.access);
      expect(response.status, id).toBe(404);
      expect(response.body).toEqual({ detail: "Not found." });
    }
  });
});

describe("GET /api/users/ (admin)", () => {
  it("refuses non-staff users with 403", async () => {
    const alice = await signedInUser();
    const response = await get("/api/users/", alice.access);
    expect(response.status).toBe(403);
    expect(response.body).toEqual({ detail: "You do not have permission to perform this action." });
  });

  it("pages through every user with DRF's count, next and previous, as admin users", async () => {
    const admin = await signedInUser("admin");
    await setFlags(admin.id, { isStaff: true });
    await Promise.all(Array.from({ length: 4 }, () => signedInUser()));
    const total = (await dbRow<{ n: number }>("select count(*) as n from users"))!.n;

    const first = await get("/api/users/?page_size=2", admin.access);
    expect(first.status).toBe(200);
    expect(first.body.count).toBe(total);
    expect(first.body.previous).toBeNull();
    expect(first.body.next).toBe(`${ORIGIN}/api/users/?page_size=2&page=2`);
    expect(first.body.results).toHaveLength(2);

    const second = await get("/api/users/?page_size=2&page=2", admin.access);
    expect(second.body.previous).toBe(`${ORIGIN}/api/users/?page_size=2`);

    const seen: number[] = [];
    let url: string | null = `/api/users/?page_size=2`;
    while (url) {
      const page = await get(url.replace(ORIGIN, ""), admin.access);
      seen.push(...page.body.results.map((user: { id: number }) => user.id));
      url = page.body.next;
    }
    expect(seen).toHaveLength(total);
    expect(new Set(seen).size).toBe(total);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
  });

  it("answers admin users with profile fields plus is_staff, is_active and last_login, never the hash", async () => {
    const admin = await signedInUser("boss");
    await setFlags(admin.id, { isStaff: true });
    await lastLoginLanded(admin.id);
    const response = await get(`/api/users/?search=${admin.username}`, admin.access);
    expect(response.body).toEqual({
      count: 1,
      next: null,
      previous: null,
      results: [
        {
          ...newProfile(admin),
          is_staff: true,
          is_superuser: false,
          is_active: true,
          last_login: expect.stringMatching(/Z$/),
          sign_in_methods: { local_login: true, two_factor: false, social_accounts: [], passkeys: 0 },
        },
      ],
    });
    expect(JSON.stringify(response.body)).not.toMatch(/argon2|password/);
  });

  it("searches username and email, case-insensitively, with % and _ taken literally", async () => {
    const admin = await signedInUser();
    await setFlags(admin.id, { isStaff: true });
    const marked = await signedInUser("Needle_");
    const byName = await get(`/api/users/?search=${marked.username.slice(0, 9).toUpperCase()}`, admin.access);
    expect(byName.body.results.map((u: { id: number }) => u.id)).toEqual([marked.id]);
    const byEmail = await get(`/api/users/?search=${encodeURIComponent(`${marked.username}@EXAMPLE`)}`, admin.access);
    expect(byEmail.body.count).toBe(1);
    const wildcard = await get("/api/users/?search=%25", admin.access);
    expect(wildcard.body.count).toBe(0);
    const none = await get("/api/users/?search=no-such-user-anywhere", admin.access);
    expect(none.body).toEqual({ count: 0, next: null, previous: null, results: [] });
  });

  it("answers 404 'Invalid page.' past the end or for a non-number, and takes page=last", async () => {
    const admin = await signedInUser();
    await setFlags(admin.id, { isStaff: true });
    for (const page of ["999", "0", "abc", "-1"]) {
      const response = await get(`/api/users/?page=${page}`, admin.access);
      expect(response.status, page).toBe(404);
      expect(response.body).toEqual({ detail: "Invalid page." });
    }
    const last = await get("/api/users/?page=last&page_size=1", admin.access);
    expect(last.status).toBe(200);
    expect(last.body.next).toBeNull();
    expect(last.body.results).toHaveLength(1);
  });

  it("caps page_size at 100 and ignores invalid values", async () => {
    const admin = await signedInUser();
    await setFlags(admin.id, { isStaff: true });
    // More users than the cap, so that a missing cap would show.
    await dbRun(
      `with recursive n(i) as (select 1 union all select i + 1 from n where i < 130)
       insert into users (username, email, password, date_joined) select 'filler' || i || ?, 'filler' || i || ? || '@example.com', '!', ? from n`, admin.username, admin.username, new Date(0));
    const sizes: [string, number][] = [["100000", 100], ["101", 100], ["7", 7], ["-5", 20], ["0", 20], ["abc", 20], ["", 20]];
    for (const [raw, expected] of sizes) {
      const response = await get(`/api/users/?page_size=${raw}`, admin.access);
      expect(response.status, raw).toBe(200);
      expect(response.body.results, raw).toHaveLength(expected);
    }
  });
});

describe("GET /api/users/<id>/followers/ and /following/", () => {
  it("lists followers and followees newest first with is_following", async () => {
    const star = await signedInUser();
    const fans: Awaited<ReturnType<typeof signedInUser>>[] = [];
    for (let i = 0; i < 3; i++) {
      const fan = await signedInUser();
      await call("POST", `/api/auth/follow/${star.id}/`, { token: fan.access });
      fans.push(fan);
    }
    await call("POST", `/api/auth/follow/${fans[0]!.id}/`, { token: star.access });
    const followers = await get(`/api/users/${star.id}/followers/`, star.access);
    expect(followers.status).toBe(200);
    expect(followers.body).toEqual({
      next: null,
      previous: null,
      results: [...fans].reverse().map((fan) => ({
        id: fan.id,
        username: fan.username,
        bio: null,
        profile_picture: null,
        followers_count: fan === fans[0] ? 1 : 0,
        following_count: 1,
        is_following: fan === fans[0],
      })),
    });
    const following = await get(`/api/users/${fans[1]!.id}/following`, star.access);
    expect(following.body.results.map((u: { id: number }) => u.id)).toEqual([star.id]);
    expect(following.body.results[0].is_following).toBe(false);
  });

  it("walks more follows than a page forward and back with no gaps or duplicates", async () => {
    const star = await signedInUser();
    const fans = await Promise.all(Array.from({ length: 23 }, () => signedInUser()));
    for (const fan of fans) await call("POST", `/api/auth/follow/${star.id}/`, { token: fan.access });
    const newestFirst = [...fans].reverse().map((fan) => fan.id);

    const pages: number[][] = [];
    let url: string | null = `/api/users/${star.id}/followers/?page_size=5`;
    let last: any;
    while (url) {
      last = await get(url.replace(ORIGIN, ""), star.access);
      expect(last.status).toBe(200);
      pages.push(last.body.results.map((u: { id: number }) => u.id));
      url = last.body.next;
    }
    expect(pages.map((page) => page.length)).toEqual([5, 5, 5, 5, 3]);
    expect(pages.flat()).toEqual(newestFirst);

    const back: number[][] = [];
    url = last.body.previous;
    while (url) {
      const page = await get(url.replace(ORIGIN, ""), star.access);
      back.unshift(page.body.results.map((u: { id: number }) => u.id));
      url = page.body.previous;
    }
    expect(back.flat()).toEqual(newestFirst.slice(0, 20));
  });

  it("answers 404 for an unknown user and an invalid cursor", async () => {
    const alice = await signedInUser();
    const unknown = await get("/api/users/999999/followers/", alice.access);
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({ detail: "Not found." });
    const badCursor = await get(`/api/users/${alice.id}/following/?cursor=!!!`, alice.access);
    expect(badCursor.status).toBe(404);
    expect(badCursor.body).toEqual({ detail: "Invalid cursor" });
  });

  it("answers an empty list for a user nobody follows", async () => {
    const alice = await signedInUser();
    const response = await get(`/api/users/${alice.id}/followers/`, alice.access);
    expect(response.body).toEqual({ next: null, previous: null, results: [] });
  });
});
