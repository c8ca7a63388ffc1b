import { describe, expect, it } from "vitest";
import { anonymousFrame, postsPageQuery } from "../src/store/postgres/content-reads";
import { ENGINE, dbRun } from "./db";
import { call, signedInUser, uniqueName } from "./helpers";
import { NOT_FOUND, allPages, block, publish, rowsExamined } from "./content";

const INVALID_AUTHOR = { author: ["Select a valid choice. That choice is not one of the available choices."] };
const ids = (body: { results: { id: number }[] }) => body.results.map((post) => post.id);

/** Titles and contents under a marker of their own, so each search sees only its test's posts. */
async function postsWithMarker(texts: [string, string][]) {
  const author = await signedInUser();
  const marker = uniqueName("mk");
  const posts = [];
  for (const [title, content] of texts) posts.push(await publish(author, `${marker} ${title}`, content));
  const search = async (terms: string) => {
    const response = await call("GET", `/api/posts/?page_size=100&search=${encodeURIComponent(`${marker} ${terms}`)}`);
    expect(response.status, terms).toBe(200);
    return ids(response.body).sort((a, b) => a - b);
  };
  return { author, posts: posts.map((post) => post.id), search };
}

describe("GET /api/posts/: pages", () => {
  it("lists newest first in keyset pages whose links keep the other parameters", async () => {
    const alice = await signedInUser();
    const posts = [];
    for (let i = 0; i < 5; i++) posts.push((await publish(alice, `Post ${i}`)).id);
    const first = await call("GET", `/api/posts/?author=${alice.id}&page_size=2`);
    expect(first.status).toBe(200);
    expect(ids(first.body)).toEqual([posts[4], posts[3]]);
    expect(first.body.previous).toBeNull();
    const next = new URL(first.body.next);
    expect(next.searchParams.get("author")).toBe(String(alice.id));
    expect(next.searchParams.get("page_size")).toBe("2");
    const second = await call("GET", next.pathname + next.search);
    expect(ids(second.body)).toEqual([posts[2], posts[1]]);
    const back = new URL(second.body.previous);
    expect(ids((await call("GET", back.pathname + back.search)).body)).toEqual([posts[4], posts[3]]);
    expect((await allPages(`/api/posts/?author=${alice.id}&page_size=2`)).map((post) => post.id)).toEqual([...posts].reverse());
  });

  it("walks every page without duplicates or gaps while posts are being added", async () => {
    const alice = await signedInUser();
    const bob = await signedInUser();
    const before: number[] = [];
    for (let i = 0; i < 12; i++) before.push((await publish(i % 2 ? alice : bob, `Before ${i}`)).id);
    const adding = Promise.all(Array.from({ length: 12 }, (_, i) => publish(i % 2 ? alice : bob, `During ${i}`)));
    const [everyone, hers] = await Promise.all([allPages("/api/posts/?page_size=3"), allPages(`/api/posts/?author=${alice.id}&page_size=2`)]);
    await adding;
    for (const [seen, expected] of [[everyone, before], [hers, before.filter((_, i) => i % 2)]] as const) {
      const walked = seen.map((post) => post.id);
      expect(new Set(walked).size).toBe(walked.length);
      expect([...walked].sort((a, b) => b - a)).toEqual(walked);
      // Every post that existed when the walk began is on exactly one page.
      expect(walked.filter((id) => expected.includes(id))).toEqual([...expected].reverse());
    }
  });

  it("answers a bad cursor with 404 Invalid cursor and takes any page size (DRF's clamp)", async () => {
    const alice = await signedInUser();
    await publish(alice);
    for (const cursor of ["junk", "bjE=x", "%00", btoa("x1"), btoa("n1.5")]) {
      expect(await call("GET", `/api/posts/?cursor=${encodeURIComponent(cursor)}`), cursor).toMatchObject({ status: 404, body: { detail: "Invalid cursor" } });
    }
    for (const size of ["0", "-3", "abc", "1e3", "99999999999999999999", ""]) {
      expect((await call("GET", `/api/posts/?page_size=${size}&author=${alice.id}`)).status, size).toBe(200);
    }
  });

  it("lists a user's posts (404 for an unknown user), with or without credentials", async () => {
    const [alice, bob] = [await signedInUser(), await signedInUser()];
    const post = await publish(alice);
    await publish(bob);
    for (const token of [undefined, bob.access]) {
      const mine = await call("GET", `/api/users/${alice.id}/posts/`, { token });
      expect(mine.status).toBe(200);
      expect(ids(mine.body)).toEqual([post.id]);
    }
    for (const id of [999999, "x"]) expect(await call("GET", `/api/users/${id}/posts/`)).toMatchObject({ status: 404, body: NOT_FOUND });
  });
});

describe("GET /api/posts/?author=", () => {
  it("filters by author, and answers django-filter's 400 for unknown or non-integer values (before a bad cursor's 404)", async () => {
    const [alice, bob] = [await signedInUser(), await signedInUser()];
    const post = await publish(alice);
    await publish(bob);
    for (const value of [String(alice.id), ` ${alice.id} `, `+${alice.id}`]) {
      expect(ids((await call("GET", `/api/posts/?author=${encodeURIComponent(value)}`)).body), value).toEqual([post.id]);
    }
    for (const value of ["999999", "abc", "1.5", "-3", "0", "1e2", " ", "99999999999999999999"]) {
      const response = await call("GET", `/api/posts/?author=${encodeURIComponent(value)}&cursor=junk`);
      expect(response, value).toMatchObject({ status: 400, body: INVALID_AUTHOR });
    }
    expect(await call("GET", `/api/posts/?author=${alice.id}&cursor=junk`)).toMatchObject({ status: 404, body: { detail: "Invalid cursor" } });
    expect((await call("GET", "/api/posts/?author=")).status).toBe(200);
  });

  it("reads about a page of posts for an author filter or a user's list, however much others post (D1's rows read, PostgreSQL's plan)", async () => {
    const [alice, noisy] = [await signedInUser(), await signedInUser()];
    for (let i = 0; i < 3; i++) await publish(alice);
    if (ENGINE === "d1") {
      const values = Array.from({ length: 300 }, (_, i) => `(${noisy.id}, 'noise ${i}', 'x', ${Date.now()}, ${Date.now()})`);
      await dbRun(`insert into posts (author_id, title, content, created_at, updated_at) values ${values.join(", ")}`);
    } else {
      // Enough rows that a scan would cost PostgreSQL's planner more than the index (it rightly scans a table of a few pages).
      await dbRun("insert into posts (author_id, title, content, created_at, updated_at) select ?, 'noise ' || g, 'x', now(), now() from generate_series(1, 20000) g", noisy.id);
      await dbRun("analyze posts");
    }
    const pages: [string, number | undefined, number | undefined][] = [
      [`/api/posts/?author=${alice.id}`, undefined, alice.id],
      [`/api/users/${alice.id}/posts/`, alice.id, alice.id],
      ["/api/posts/?page_size=5", alice.id, undefined],
    ];
    for (const [path, viewer, authorId] of pages) expect(await postsExamined(alice.access, path, viewer, authorId), path).toBeLessThan(40);
    // An author hidden by a block: their list is empty, and none of their posts is read to find that out.
    await block(noisy.id, alice.id);
    for (const path of [`/api/posts/?author=${noisy.id}`, `/api/users/${noisy.id}/posts/`]) {
      expect(await postsExamined(alice.access, path, alice.id, noisy.id), path).toBeLessThan(40);
    }
  });
});

/** The rows of posts a page examines (see `rowsExamined`), for the store's statement of that page on PostgreSQL. */
async function postsExamined(token: string, path: string, viewer: number | undefined, authorId: number | undefined): Promise<number> {
  const response = await call("GET", path, { token });
  expect(response.status).toBe(200);
  return rowsExamined(response.headers, "posts", () => postsPageQuery({ ...anonymousFrame, viewer }, { authorId }, undefined, /page_size=5/.test(path) ? 5 : 20));
}

describe("GET /api/posts/?search= (DRF's SearchFilter)", () => {
  it("needs every term, in the title or the content, case-insensitively; commas split like spaces; a quoted phrase is one term", async () => {
    const { posts: [redApple, appleRed, banana, both], search } = await postsWithMarker([
      ["Red apple", "fresh"],
      ["Apple", "is red"],
      ["Banana", "yellow"],
      ["Apple, banana", "salad"],
    ]);
    expect(await search("apple")).toEqual([redApple, appleRed, both]);
    expect(await search("APPLE RED")).toEqual([redApple, appleRed]);
    expect(await search('"red apple"')).toEqual([redApple]);
    expect(await search('"RED APPLE" fresh')).toEqual([redApple]);
    expect(await search("apple,banana")).toEqual([both]);
    expect(await search(" ,, banana ,")).toEqual([banana, both]);
    expect(await search('"apple, banana"')).toEqual([both]);
    expect(await search("'is red'")).toEqual([appleRed]);
    expect(await search('"" ,')).toEqual([redApple, appleRed, banana, both]);
    expect(await search("kiwi")).toEqual([]);
  });

  it("matches %, _ and \\ literally, and quotes with their escapes", async () => {
    const { posts: [percent, , snake, , slash, quoted], search } = await postsWithMarker([
      ["100% sure", "a"],
      ["1000 sure", "b"],
      ["snake_case", "c"],
      ["snakeXcase", "d"],
      ["back\\slash", "e"],
      ['say "hi" now', "it's"],
    ]);
    expect(await search("0%")).toEqual([percent]);
    expect(await search("%")).toEqual([percent]);
    expect(await search("e_c")).toEqual([snake]);
    expect(await search("_")).toEqual([snake]);
    expect(await search("k\\s")).toEqual([slash]);
    expect(await search('"\\"hi\\""')).toEqual([quoted]);
    expect(await search("'it\\'s'")).toEqual([quoted]);
  });

  it("refuses a NUL character as DRF's CharField does, and never answers 5xx whatever the search, cursor or page size", async () => {
    expect(await call("GET", "/api/posts/?search=a%00b")).toMatchObject({ status: 400, body: { search: ["Null characters are not allowed."] } });
    const alphabet = ["a", "Z", " ", ",", '"', "'", "\\", "%", "_", "*", "é", "😀", "\u200b", "\t", "(", ")", "[", "]", "?", "&", "="];
    const pick = (n: number) => Array.from({ length: n }, () => alphabet[Math.floor(Math.random() * alphabet.length)]).join("");
    const requests = [];
    for (let i = 0; i < 40; i++) {
      const params = new URLSearchParams({ search: pick(1 + Math.floor(Math.random() * 40)) });
      if (i % 3 === 0) params.set("cursor", i % 2 ? btoa(`n${Math.floor(Math.random() * 1e15)}`) : pick(8));
      if (i % 4 === 0) params.set("page_size", pick(3));
      requests.push(call("GET", `/api/posts/?${params}`));
    }
    requests.push(call("GET", `/api/posts/?search=${encodeURIComponent("x ".repeat(2000))}`));
    for (const response of await Promise.all(requests)) expect([200, 404]).toContain(response.status);
  });
});
