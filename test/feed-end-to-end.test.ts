/**
 * The feed end to end, through the routes only (posts, follows, blocks, mutes) and the real queue.
 *
 * PENDING: posts (branch social-content) and blocks and mutes (branch social-relations) are not on
 * the feed's branch, so vitest does not pick this file up (its name is not *.test.ts). At the merge:
 *   git mv test/feed-end-to-end.pending.ts test/feed-end-to-end.test.ts
 * It then runs on both engines like every test/*.test.ts.
 */
import { describe, expect, it } from "vitest";
import { dbRow } from "./db";
import { call, eventually, signedInUser } from "./helpers";

type User = Awaited<ReturnType<typeof signedInUser>>;

/** Within seconds: what the contract promises for a new post (the queue waits at most max_batch_timeout, 1 s). */
const SECONDS = 5_000;

const follow = async (user: User, target: User, env?: Partial<Cloudflare.Env>) =>
  expect((await call("POST", `/api/auth/follow/${target.id}/`, { token: user.access, env })).status).toBe(200);
const relate = async (user: User, action: "block" | "unblock" | "mute" | "unmute" | "unfollow", target: User) => {
  const path = action === "unfollow" ? `/api/auth/unfollow/${target.id}/` : `/api/users/${target.id}/${action}/`;
  expect((await call("POST", path, { token: user.access })).status).toBe(200);
};

async function post(author: User, title: string) {
  const created = await call("POST", "/api/posts/", { token: author.access, body: { title, content: `${title}, at length.` } });
  expect(created.status).toBe(201);
  return created.body as { id: number; author: string; title: string };
}

async function feedOf(user: User) {
  const page = await call("GET", "/api/feed/", { token: user.access });
  expect(page.status).toBe(200);
  return page.body.results as { id: number }[];
}

const ids = (posts: { id: number }[]) => posts.map((p) => p.id);
const entries = async (ownerId: number, authorId: number) =>
  (await dbRow<{ n: number }>("select count(*) as n from feed_entries where owner_id = ? and author_id = ?", ownerId, authorId))!.n;

describe("the feed, end to end", () => {
  it("a new post reaches its author's followers' feeds within seconds, and nobody else's", async () => {
    const [author, stranger, ...followers] = await Promise.all([signedInUser(), signedInUser(), signedInUser(), signedInUser(), signedInUser()]);
    for (const follower of followers) await follow(follower, author);
    const started = Date.now();
    const created = await post(author, "Fresh news");
    for (const follower of followers) {
      const seen = await eventually(() => feedOf(follower), (results) => results.length > 0, SECONDS);
      expect(seen).toEqual([created]);
    }
    expect(Date.now() - started).toBeLessThan(SECONDS);
    expect(await feedOf(author)).toEqual([]);
    expect(await feedOf(stranger)).toEqual([]);
  });

  it("a follow brings the author's earlier posts into the follower's feed within seconds", async () => {
    const [author, reader] = await Promise.all([signedInUser(), signedInUser()]);
    const earlier = [await post(author, "One"), await post(author, "Two"), await post(author, "Three")];
    await follow(reader, author);
    const seen = await eventually(() => feedOf(reader), (results) => results.length === 3, SECONDS);
    expect(ids(seen)).toEqual(ids(earlier).reverse());
  });

  it("an author reaching FEED_PULL_THRESHOLD followers becomes a pull author: their posts reach feeds at once, with no fan-out", async () => {
    const threshold = { FEED_PULL_THRESHOLD: "2" };
    const [author, first, second, third] = await Promise.all([signedInUser(), signedInUser(), signedInUser(), signedInUser()]);
    await follow(first, author, threshold);
    await follow(second, author, threshold);
    await eventually(
      () => dbRow<{ n: number }>("select count(*) as n from follows f join users u on u.id = f.followee_id where u.id = ? and u.feed_pull and f.pull", author.id),
      (row) => row?.n === 2,
      SECONDS,
    );
    await follow(third, author, threshold);
    expect(await dbRow("select pull from follows where follower_id = ? and followee_id = ?", third.id, author.id)).toEqual({ pull: 1 });
    const created = await post(author, "For many");
    for (const reader of [first, second, third]) expect(ids(await feedOf(reader))).toEqual([created.id]);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await dbRow("select count(*) as n from feed_entries where post_id = ?", created.id)).toEqual({ n: 0 });
  });

  it("unfollow, mute and block hide an author at once; their purges empty the entries within seconds; unmuting brings the posts back", async () => {
    const [reader, muted, blocked, left] = await Promise.all([signedInUser(), signedInUser(), signedInUser(), signedInUser()]);
    for (const author of [muted, blocked, left]) await follow(reader, author);
    const posts = [await post(muted, "Muted"), await post(blocked, "Blocked"), await post(left, "Left")];
    await eventually(() => feedOf(reader), (results) => results.length === 3, SECONDS);

    await relate(reader, "mute", muted);
    await relate(reader, "block", blocked);
    await relate(reader, "unfollow", left);
    expect(await feedOf(reader)).toEqual([]);
    for (const author of [muted, blocked, left]) {
      expect(await eventually(() => entries(reader.id, author.id), (n) => n === 0, SECONDS)).toBe(0);
    }

    await relate(reader, "unmute", muted);
    expect(ids(await eventually(() => feedOf(reader), (results) => results.length > 0, SECONDS))).toEqual([posts[0]!.id]);
    // Unblocking restores no follow.
    await relate(reader, "unblock", blocked);
    expect(ids(await feedOf(reader))).toEqual([posts[0]!.id]);
  });

  it("a deleted post leaves every feed at once", async () => {
    const [author, reader] = await Promise.all([signedInUser(), signedInUser()]);
    await follow(reader, author);
    const created = await post(author, "Soon gone");
    await eventually(() => feedOf(reader), (results) => results.length === 1, SECONDS);
    expect((await call("DELETE", `/api/posts/${created.id}/`, { token: author.access })).status).toBe(204);
    expect(await feedOf(reader)).toEqual([]);
    expect(await entries(reader.id, author.id)).toBe(0);
  });
});
