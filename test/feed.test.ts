import { PgDialect } from "drizzle-orm/pg-core";
import { describe, expect, it } from "vitest";
import { feedPageQuery } from "../src/store/postgres/feed-page";
import { ENGINE, dbRow, dbRows, dbRun } from "./db";
import {
  blockRow, entriesOf, fanOut, feed, feedIds, followRow, insertPost, muteRow, newestFirst, postBody, promote, unblockRow,
  unfollowRow, unmuteRow, wholeFeed,
} from "./feed-fixtures";
import { call, decodeJwt, signedInUser } from "./helpers";

const NOT_PROVIDED = { detail: "Authentication credentials were not provided." };

/** The statements (PostgreSQL) or D1 round trips a response reports in Server-Timing. */
function statements(headers: Headers): number {
  const name = ENGINE === "d1" ? "d1" : "pg";
  const match = new RegExp(`(?:^|,)${name};dur=[\\d.]+;desc="(\\d+)"`).exec(headers.get("Server-Timing") ?? "");
  expect(match, headers.get("Server-Timing") ?? "no Server-Timing").not.toBeNull();
  return Number(match![1]);
}

describe("GET /api/feed/", () => {
  it("needs credentials, and refuses a bad token", async () => {
    const anonymous = await call("GET", "/api/feed/");
    expect(anonymous.status).toBe(401);
    expect(anonymous.body).toEqual(NOT_PROVIDED);
    const bad = await call("GET", "/api/feed/", { token: "not.a.token" });
    expect(bad.status).toBe(401);
    expect(bad.body).toMatchObject({ code: "token_not_valid" });
  });

  it("lists the posts of the users the caller follows, newest first, as <post>s; not their own, nor anyone else's", async () => {
    const [alice, bob, carol, dave] = await Promise.all([signedInUser(), signedInUser(), signedInUser(), signedInUser()]);
    await followRow(alice.id, bob.id);
    await followRow(alice.id, carol.id);
    await followRow(dave.id, alice.id);
    const bobs = await insertPost(bob, "Bob's first");
    const own = await insertPost(alice, "Alice's own");
    const carols = await insertPost(carol, "Carol's");
    const stranger = await insertPost(dave, "Dave's");
    const bobsSecond = await insertPost(bob, "Bob's second");
    await fanOut(bobs, own, carols, stranger, bobsSecond);
    // Alice likes Carol's post; two likes in all.
    await dbRun("insert into likes (user_id, post_id, created_at) values (?, ?, ?), (?, ?, ?)", alice.id, carols.id, new Date(), bob.id, carols.id, new Date());
    await dbRun("update posts set likes_count = 2, comments_count = 1 where id = ?", carols.id);

    const page = await feed(alice.access);
    expect(page.status).toBe(200);
    expect(page.body).toEqual({
      next: null,
      previous: null,
      results: [postBody(bobsSecond), postBody(carols, { likes_count: 2, comments_count: 1, liked: true }), postBody(bobs)],
    });
    // Dave follows Alice: her post is his, and nothing else.
    expect(await feedIds(dave.access)).toEqual([own.id]);
    expect(await feedIds(bob.access)).toEqual([]);
  });

  it("costs one statement (on D1, one batch with the caller's guard) and pages with next/previous links", async () => {
    const [alice, bob] = await Promise.all([signedInUser(), signedInUser()]);
    await followRow(alice.id, bob.id);
    const posts = [];
    for (let i = 0; i < 5; i++) posts.push(await insertPost(bob, `Post ${i}`));
    await fanOut(...posts);
    const first = await feed(alice.access, "/api/feed/?page_size=2");
    expect(first.status).toBe(200);
    expect(statements(first.headers)).toBe(1);
    expect(first.body.results).toEqual([postBody(posts[4]!), postBody(posts[3]!)]);
    expect(first.body.previous).toBeNull();
    const second = await feed(alice.access, first.body.next);
    expect(statements(second.headers)).toBe(1);
    expect(second.body.results).toEqual([postBody(posts[2]!), postBody(posts[1]!)]);
    const third = await feed(alice.access, second.body.next);
    expect(third.body).toEqual({ next: null, previous: expect.stringContaining("http://api.test/api/feed/?page_size=2&cursor="), results: [postBody(posts[0]!)] });
    const back = await feed(alice.access, third.body.previous);
    expect(statements(back.headers)).toBe(1);
    expect(back.body).toEqual({ ...second.body, next: expect.any(String), previous: expect.any(String) });
    expect((await feed(alice.access, back.body.previous)).body.results).toEqual(first.body.results);
  });

  it("answers 404 Invalid cursor to a cursor it did not make", async () => {
    const alice = await signedInUser();
    for (const cursor of ["garbage", "bjE=x", btoa("x12")]) {
      const response = await feed(alice.access, `/api/feed/?cursor=${encodeURIComponent(cursor)}`);
      expect(response.status).toBe(404);
      expect(response.body).toEqual({ detail: "Invalid cursor" });
    }
  });

  it("hides an unfollowed author's posts at once, before any purge has removed their entries", async () => {
    const [alice, bob, carol] = await Promise.all([signedInUser(), signedInUser(), signedInUser()]);
    await followRow(alice.id, bob.id);
    await followRow(alice.id, carol.id);
    const bobs = await insertPost(bob);
    const carols = await insertPost(carol);
    await fanOut(bobs, carols);
    await unfollowRow(alice.id, bob.id);
    expect(await entriesOf(alice.id)).toEqual([bobs.id, carols.id]);
    expect(await feedIds(alice.access)).toEqual([carols.id]);
  });

  it("hides muted users and users sharing a block either way, at once, and shows them again when that ends", async () => {
    const [alice, bob, carol, dave, erin] = await Promise.all([signedInUser(), signedInUser(), signedInUser(), signedInUser(), signedInUser()]);
    for (const author of [bob, carol, dave, erin]) await followRow(alice.id, author.id);
    const posts = [await insertPost(bob), await insertPost(carol), await insertPost(dave), await insertPost(erin)];
    await fanOut(...posts);
    await muteRow(alice.id, bob.id);
    await blockRow(alice.id, carol.id);
    await blockRow(dave.id, alice.id);
    expect(await feedIds(alice.access)).toEqual([posts[3]!.id]);
    // A mute by the author, or a block between others, changes nothing here.
    await muteRow(erin.id, alice.id);
    await blockRow(bob.id, carol.id);
    expect(await feedIds(alice.access)).toEqual([posts[3]!.id]);
    await unmuteRow(alice.id, bob.id);
    await unblockRow(alice.id, carol.id);
    await unblockRow(dave.id, alice.id);
    expect(await feedIds(alice.access)).toEqual(newestFirst(posts));
  });

  it("hides a deleted post (its entries go with it)", async () => {
    const [alice, bob] = await Promise.all([signedInUser(), signedInUser()]);
    await followRow(alice.id, bob.id);
    const [kept, deleted] = [await insertPost(bob), await insertPost(bob)];
    await fanOut(kept, deleted);
    await dbRun("delete from posts where id = ?", deleted.id);
    expect(await entriesOf(alice.id)).toEqual([kept.id]);
    expect(await feedIds(alice.access)).toEqual([kept.id]);
  });
});

describe("the feed with pull authors", () => {
  it("merges a pull author's posts, read from their own index, with the fanned-out ones, once each", async () => {
    const [alice, pushed, star] = await Promise.all([signedInUser(), signedInUser(), signedInUser()]);
    await followRow(alice.id, pushed.id);
    await followRow(alice.id, star.id);
    // Posts of the star before the promotion were fanned out; after it, they are not.
    const before = [await insertPost(star, "Before"), await insertPost(pushed, "Pushed 1")];
    await fanOut(...before);
    await promote(star.id);
    expect(await dbRow("select feed_pull from users where id = ?", star.id)).toEqual({ feed_pull: 1 });
    expect(await dbRow("select pull from follows where follower_id = ? and followee_id = ?", alice.id, star.id)).toEqual({ pull: 1 });
    const after = [await insertPost(star, "After"), await insertPost(pushed, "Pushed 2"), await insertPost(star, "After again")];
    await fanOut(...after);
    expect(await entriesOf(alice.id)).toEqual([before[0]!.id, before[1]!.id, after[1]!.id]);
    const page = await feed(alice.access);
    expect(page.body).toEqual({ next: null, previous: null, results: [...after, ...before].sort((a, b) => b.id - a.id).map((post) => postBody(post)) });
    expect(statements(page.headers)).toBe(1);
  });

  it("hides a pull author the caller mutes, blocks, is blocked by, or no longer follows", async () => {
    const [alice, star] = await Promise.all([signedInUser(), signedInUser()]);
    await promote(star.id);
    await followRow(alice.id, star.id);
    expect(await dbRow("select pull from follows where follower_id = ? and followee_id = ?", alice.id, star.id)).toEqual({ pull: 1 });
    const post = await insertPost(star);
    await fanOut(post);
    expect(await entriesOf(alice.id)).toEqual([]);
    expect(await feedIds(alice.access)).toEqual([post.id]);
    await muteRow(alice.id, star.id);
    expect(await feedIds(alice.access)).toEqual([]);
    await unmuteRow(alice.id, star.id);
    await blockRow(alice.id, star.id);
    expect(await feedIds(alice.access)).toEqual([]);
    await unblockRow(alice.id, star.id);
    await blockRow(star.id, alice.id);
    expect(await feedIds(alice.access)).toEqual([]);
    await unblockRow(star.id, alice.id);
    expect(await feedIds(alice.access)).toEqual([post.id]);
    await unfollowRow(alice.id, star.id);
    expect(await feedIds(alice.access)).toEqual([]);
  });

  it("pages through fan-out and pull posts without duplicates or gaps while posts are added, both ways", async () => {
    const [alice, one, two, starA, starB] = await Promise.all([signedInUser(), signedInUser(), signedInUser(), signedInUser(), signedInUser()]);
    const authors = [one, two, starA, starB];
    for (const author of authors) await followRow(alice.id, author.id);
    await promote(starA.id);
    await promote(starB.id);
    // Interleaved: runs of one author's posts longer than a page, and stretches with no fan-out at all.
    const pattern = [0, 0, 0, 2, 2, 2, 2, 2, 1, 3, 0, 2, 3, 3, 3, 3, 3, 3, 1, 1, 0, 2, 2, 1, 3, 0, 0, 0, 0, 0, 2, 3];
    const posts = [];
    for (const index of pattern) posts.push(await insertPost(authors[index]!));
    await fanOut(...posts);
    const expected = newestFirst(posts);
    for (const size of [1, 3, 4, 7, 50]) expect(await wholeFeed(alice.access, size), `page_size=${size}`).toEqual(expected);

    // Walking down while new posts arrive (at the top): what was there is seen once, in order.
    const seen: number[] = [];
    let path: string | null = "/api/feed/?page_size=4";
    let round = 0;
    while (path) {
      const page = await feed(alice.access, path);
      seen.push(...(page.body.results as { id: number }[]).map((post) => post.id));
      path = page.body.next;
      const fresh = await insertPost(authors[round % authors.length]!);
      await fanOut(fresh);
      round += 1;
    }
    expect(seen).toEqual(expected);

    // And back up from the last page with `previous` links: the same pages in reverse order.
    const pages: number[][] = [];
    let last = await feed(alice.access, "/api/feed/?page_size=5");
    while (last.body.next) last = await feed(alice.access, last.body.next);
    for (let page = last; ; page = await feed(alice.access, page.body.previous)) {
      pages.unshift((page.body.results as { id: number }[]).map((post) => post.id));
      if (!page.body.previous) break;
    }
    const everything = (await dbRows<{ id: number }>("select id from posts where author_id in (?, ?, ?, ?) order by id desc", one.id, two.id, starA.id, starB.id)).map((row) => row.id);
    expect(pages.flat()).toEqual(everything);
    expect(pages.slice(1, -1).every((page) => page.length === 5)).toBe(true);
  });
});

/** `count` posts of `authorId` in one statement (both engines take a CTE before INSERT). */
async function manyPosts(authorId: number, count: number): Promise<void> {
  const at = new Date("2026-06-01T00:00:00.000Z");
  await dbRun(
    `with recursive n(i) as (select 1 union all select i + 1 from n where i < ?)
     insert into posts (author_id, title, content, created_at, updated_at) select cast(? as bigint), 'Many', 'Many posts.', ?, ? from n`,
    count, authorId, at, at,
  );
}

/**
 * The rows a feed page reads: D1's count (Server-Timing's d1-rows-read); on PostgreSQL, the rows
 * the statement's scans of posts and feed_entries produced (EXPLAIN ANALYZE of the same statement).
 */
async function rowsReadFor(user: { access: string; id: number }, path: string): Promise<{ rows: number; next: string | null }> {
  const page = await feed(user.access, path);
  expect(page.status).toBe(200);
  if (ENGINE === "d1") return { rows: Number(/d1-rows-read;dur=([\d.]+)/.exec(page.headers.get("Server-Timing") ?? "")![1]), next: page.body.next };
  const url = new URL(path, "http://api.test");
  const raw = url.searchParams.get("cursor");
  const cursor = raw ? { forward: atob(raw.replaceAll("-", "+").replaceAll("_", "/")).startsWith("n"), id: Number(atob(raw.replaceAll("-", "+").replaceAll("_", "/")).slice(1)) } : undefined;
  const query = new PgDialect().sqlToQuery(feedPageQuery({ id: user.id, sessionId: decodeJwt(user.access).payload.sid }, cursor, Number(url.searchParams.get("page_size") ?? 20)));
  const [plan] = await dbRows<{ "QUERY PLAN": unknown }>(`explain (analyze, format json) ${query.sql}`, ...(query.params as (string | number)[]));
  let rows = 0;
  const walk = (node: Record<string, unknown>) => {
    if (["posts", "feed_entries"].includes(node["Relation Name"] as string)) rows += (node["Actual Rows"] as number) * (node["Actual Loops"] as number);
    for (const child of (node.Plans as Record<string, unknown>[] | undefined) ?? []) walk(child);
  };
  walk((plan!["QUERY PLAN"] as [{ Plan: Record<string, unknown> }])[0].Plan);
  return { rows, next: page.body.next };
}

describe("the cost of a feed page", () => {
  it("is bounded by the page and the pull followees, whatever the authors' histories and the fan-out hold", async () => {
    const [alice, pushed, old, busy] = await Promise.all([signedInUser(), signedInUser(), signedInUser(), signedInUser()]);
    for (const author of [pushed, old, busy]) await followRow(alice.id, author.id);
    await promote(old.id);
    await promote(busy.id);
    // A pull author whose whole history is older than the fanned-out posts, then those posts, then a
    // pull author posting far more than a page in the span of each page.
    await manyPosts(old.id, 400);
    const fanned = [];
    for (let i = 0; i < 30; i++) fanned.push(await insertPost(pushed));
    await fanOut(...fanned);
    await manyPosts(busy.id, 400);
    const pageSize = 10;
    // A page is at most pageSize + 1 candidates from each source: the fan-out entries, each pull
    // followee's posts; each candidate is a few index lookups.
    const bound = (pageSize + 1) * (1 + 2) * 6;
    let path: string | null = `/api/feed/?page_size=${pageSize}`;
    let pages = 0;
    for (; path; pages++) {
      const { rows, next } = await rowsReadFor(alice, path);
      expect(rows, `page ${pages + 1}`).toBeLessThan(bound);
      path = next;
    }
    expect(pages).toBe(83);
  });
});
