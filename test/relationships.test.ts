/** Relationships, and the lists of the users the caller blocks or mutes (API.md "Blocks, mutes, relationships"). */
import { describe, expect, it } from "vitest";
import { ORIGIN, call, setFlags, signedInUser } from "./helpers";

type User = Awaited<ReturnType<typeof signedInUser>>;

const act = (action: "block" | "mute" | "unmute", by: User, target: User) => call("POST", `/api/users/${target.id}/${action}/`, { token: by.access });
const follow = (by: User, target: User) => call("POST", `/api/auth/follow/${target.id}/`, { token: by.access });
const relationships = (by: User, query: string) => call("GET", `/api/users/relationships/${query}`, { token: by.access });
const relationship = (id: number, fields: Partial<Record<"following" | "followed_by" | "blocking" | "blocked_by" | "muting", boolean>> = {}) => ({
  id, following: false, followed_by: false, blocking: false, blocked_by: false, muting: false, ...fields,
});
const publicUser = (user: User, counts: { followers: number; following: number }, isFollowing: boolean) => ({
  id: user.id, username: user.username, bio: null, profile_picture: null,
  followers_count: counts.followers, following_count: counts.following, is_following: isFollowing,
});

describe("GET /api/users/relationships/", () => {
  it("answers one relationship per known id, in the order asked, repeats once, unknown left out", async () => {
    const [alice, followed, follower, blocked, blocker, muted] = [await signedInUser(), await signedInUser(), await signedInUser(), await signedInUser(), await signedInUser(), await signedInUser()];
    await follow(alice, followed);
    await follow(follower, alice);
    await follow(alice, muted);
    await act("block", alice, blocked);
    await act("block", blocker, alice);
    await act("mute", alice, muted);
    const query = [muted, followed, "999999", followed, blocked, blocker, alice, follower, "0", "-3", "99999999999999999999"]
      .map((id) => `id=${typeof id === "string" ? id : id.id}`)
      .join("&");
    const response = await relationships(alice, `?${query}`);
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      results: [
        relationship(muted.id, { following: true, muting: true }),
        relationship(followed.id, { following: true }),
        relationship(blocked.id, { blocking: true }),
        relationship(blocker.id, { blocked_by: true }),
        relationship(alice.id),
        relationship(follower.id, { followed_by: true }),
      ],
    });
    const single = await relationships(alice, `?id=${follower.id}`);
    expect(single.body).toEqual({ results: [relationship(follower.id, { followed_by: true })] });
    const nobody = await relationships(alice, "?id=999999&id=0");
    expect(nobody.status).toBe(200);
    expect(nobody.body).toEqual({ results: [] });
  });

  it("takes DRF's integers, up to 40 of them, and refuses more, none, or anything else with its messages", async () => {
    const alice = await signedInUser();
    const forty = Array.from({ length: 40 }, (_, i) => `id=${i === 0 ? alice.id : 900000 + i}`).join("&");
    expect(await relationships(alice, `?${forty}`)).toMatchObject({ status: 200, body: { results: [relationship(alice.id)] } });
    expect((await relationships(alice, `?id=${encodeURIComponent(` +${alice.id}.0 `)}`)).body).toEqual({ results: [relationship(alice.id)] });
    const cases: [string, string][] = [
      [`?${forty}&id=1`, "Ensure this field has no more than 40 elements."],
      ["", "This field is required."],
      ["?other=1", "This field is required."],
      ["?id=abc", "A valid integer is required."],
      [`?id=${alice.id}&id=1.5`, "A valid integer is required."],
      ["?id=1,2", "A valid integer is required."],
      ["?id=", "A valid integer is required."],
    ];
    for (const [query, message] of cases) {
      const response = await relationships(alice, query);
      expect(response.status, query).toBe(400);
      expect(response.body, query).toEqual({ id: [message] });
    }
  });

  it("needs an active caller", async () => {
    const alice = await signedInUser();
    const anonymous = await call("GET", "/api/users/relationships/?id=1");
    expect(anonymous.status).toBe(401);
    expect(anonymous.body).toEqual({ detail: "Authentication credentials were not provided." });
    await setFlags(alice.id, { isActive: false });
    for (const query of [`?id=${alice.id}`, "?id=0"]) {
      const inactive = await relationships(alice, query);
      expect(inactive.status).toBe(401);
      expect(inactive.body).toEqual({ detail: "User is inactive", code: "user_inactive" });
    }
  });
});

describe("GET /api/auth/blocks/ and /api/auth/mutes/", () => {
  it("list the users the caller blocks, latest first, by cursor both ways", async () => {
    const [alice, first, second, third] = [await signedInUser(), await signedInUser(), await signedInUser(), await signedInUser()];
    for (const user of [first, second, third]) await act("block", alice, user);
    // Someone else's blocks are not the caller's.
    await act("block", first, alice);
    const none = { followers: 0, following: 0 };
    const page = await call("GET", "/api/auth/blocks/?page_size=2", { token: alice.access });
    expect(page.status).toBe(200);
    expect(page.body).toEqual({ next: expect.any(String), previous: null, results: [publicUser(third, none, false), publicUser(second, none, false)] });
    expect(page.body.next.startsWith(`${ORIGIN}/api/auth/blocks/?`)).toBe(true);
    expect(page.body.next).toContain("page_size=2");
    const next = await call("GET", page.body.next.slice(ORIGIN.length), { token: alice.access });
    expect(next.body).toEqual({ next: null, previous: expect.any(String), results: [publicUser(first, none, false)] });
    const back = await call("GET", next.body.previous.slice(ORIGIN.length), { token: alice.access });
    expect(back.body.results).toEqual(page.body.results);
    expect(back.body.previous).toBeNull();
    expect((await call("GET", "/api/auth/mutes/", { token: alice.access })).body).toEqual({ next: null, previous: null, results: [] });
  });

  it("list the users the caller mutes, latest first, with the caller's follows", async () => {
    const [alice, followed, other] = [await signedInUser(), await signedInUser(), await signedInUser()];
    await follow(alice, followed);
    await act("mute", alice, followed);
    await act("mute", alice, other);
    const response = await call("GET", "/api/auth/mutes/", { token: alice.access });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      next: null,
      previous: null,
      results: [publicUser(other, { followers: 0, following: 0 }, false), publicUser(followed, { followers: 1, following: 0 }, true)],
    });
    await act("unmute", alice, other);
    expect((await call("GET", "/api/auth/mutes/", { token: alice.access })).body.results).toEqual([publicUser(followed, { followers: 1, following: 0 }, true)]);
  });

  it("refuse a bad cursor and a caller without credentials", async () => {
    const alice = await signedInUser();
    for (const path of ["/api/auth/blocks/", "/api/auth/mutes/"]) {
      const bad = await call("GET", `${path}?cursor=zzz`, { token: alice.access });
      expect(bad.status).toBe(404);
      expect(bad.body).toEqual({ detail: "Invalid cursor" });
      const anonymous = await call("GET", path);
      expect(anonymous.status).toBe(401);
      expect(anonymous.body).toEqual({ detail: "Authentication credentials were not provided." });
    }
  });
});
