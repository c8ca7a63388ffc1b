import { describe, expect, it } from "vitest";
import { dbRow, dbRun } from "./db";
import { call, setFlags, signedInUser } from "./helpers";
import { BAD_TOKEN, FORBIDDEN, NOT_FOUND, NO_CREDENTIALS, block, comment, counters, postBody, publish, statementsOf } from "./content";

const postRow = (id: number) => dbRow("select title, content, updated_at from posts where id = ?", id);

describe("posts: create, read, edit, delete", () => {
  it("publishes a post (201, the contract's body) that anyone reads, with credentials or without", async () => {
    const alice = await signedInUser();
    const created = await call("POST", "/api/posts/", { token: alice.access, body: { title: "Hello", content: "First post" } });
    expect(created.status).toBe(201);
    expect(created.body).toEqual(postBody(alice, { id: created.body.id, title: "Hello", content: "First post" }));
    expect(created.body.created_at).toBe(created.body.updated_at);
    const bob = await signedInUser();
    for (const token of [undefined, bob.access, alice.access]) {
      const read = await call("GET", `/api/posts/${created.body.id}/`, { token });
      expect(read.status).toBe(200);
      expect(read.body).toEqual(created.body);
    }
  });

  it("hands the new post to the feed's queue (fan_out) after the response, and nothing for a refused one", async () => {
    const alice = await signedInUser();
    const sent: unknown[] = [];
    const FEED_QUEUE = { send: async (job: unknown) => void sent.push(job) } as unknown as Cloudflare.Env["FEED_QUEUE"];
    const created = await call("POST", "/api/posts/", { token: alice.access, body: { title: "t", content: "c" }, env: { FEED_QUEUE } });
    expect(created.status).toBe(201);
    expect(sent).toEqual([{ kind: "fan_out", postId: created.body.id }]);
    await call("POST", "/api/posts/", { token: alice.access, body: { title: "" }, env: { FEED_QUEUE } });
    await call("PATCH", `/api/posts/${created.body.id}/`, { token: alice.access, body: { title: "t2" }, env: { FEED_QUEUE } });
    expect(sent).toHaveLength(1);
  });

  it("takes the values trimmed, ignores other fields, and counts characters as Python does (code points)", async () => {
    const alice = await signedInUser();
    const emoji = "😀".repeat(255);
    const created = await call("POST", "/api/posts/", {
      token: alice.access,
      body: { title: `  ${emoji}\n`, content: 12345, id: 1, author: "someone", author_id: 999, likes_count: 7, liked: true },
    });
    expect(created.status).toBe(201);
    expect(created.body).toEqual(postBody(alice, { id: created.body.id, title: emoji, content: "12345" }));
    const form = await call("POST", "/api/posts/", { token: alice.access, body: new URLSearchParams({ title: "Form", content: "urlencoded" }) });
    expect(form.status).toBe(201);
    expect(form.body).toMatchObject({ title: "Form", content: "urlencoded" });
  });

  it("refuses bad bodies with DRF's messages, every failing field at once, and writes nothing", async () => {
    const alice = await signedInUser();
    const cases: [Record<string, unknown>, Record<string, string[]>][] = [
      [{}, { title: ["This field is required."], content: ["This field is required."] }],
      [{ title: "  ", content: "" }, { title: ["This field may not be blank."], content: ["This field may not be blank."] }],
      [{ title: null, content: ["x"] }, { title: ["This field may not be null."], content: ["Not a valid string."] }],
      [{ title: "😀".repeat(256), content: "x".repeat(10_001) }, { title: ["Ensure this field has no more than 255 characters."], content: ["Ensure this field has no more than 10000 characters."] }],
      [{ title: "a\u0000b", content: { x: 1 } }, { title: ["Null characters are not allowed."], content: ["Not a valid string."] }],
    ];
    for (const [body, errors] of cases) {
      const response = await call("POST", "/api/posts/", { token: alice.access, body });
      expect(response.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(response.body).toEqual(errors);
    }
    expect(await dbRow("select count(*) as n from posts where author_id = ?", alice.id)).toEqual({ n: 0 });
  });

  it("edits: PUT needs both fields, PATCH any of them; updated_at moves, created_at stays", async () => {
    const alice = await signedInUser();
    const post = await publish(alice, "Old title", "Old content");
    await new Promise((resolve) => setTimeout(resolve, 5));
    const put = await call("PUT", `/api/posts/${post.id}/`, { token: alice.access, body: { title: " New title ", content: "New content" } });
    expect(put.status).toBe(200);
    expect(put.body).toEqual(postBody(alice, { id: post.id, title: "New title", content: "New content" }, { created_at: post.created_at }));
    expect(put.body.updated_at > post.updated_at).toBe(true);

    const partial = await call("PUT", `/api/posts/${post.id}/`, { token: alice.access, body: { title: "Only" } });
    expect(partial.status).toBe(400);
    expect(partial.body).toEqual({ content: ["This field is required."] });

    const patch = await call("PATCH", `/api/posts/${post.id}`, { token: alice.access, body: { content: "Patched", title_extra: 1 } });
    expect(patch.status).toBe(200);
    expect(patch.body).toEqual(postBody(alice, { id: post.id, title: "New title", content: "Patched" }, { created_at: post.created_at }));
    const blank = await call("PATCH", `/api/posts/${post.id}/`, { token: alice.access, body: { title: "" } });
    expect(blank.body).toEqual({ title: ["This field may not be blank."] });
    expect(await postRow(post.id)).toMatchObject({ title: "New title", content: "Patched" });
  });

  it("deletes a post (204), then it is gone (404)", async () => {
    const alice = await signedInUser();
    const post = await publish(alice);
    const deleted = await call("DELETE", `/api/posts/${post.id}/`, { token: alice.access });
    expect(deleted.status).toBe(204);
    expect(deleted.body).toBeUndefined();
    for (const method of ["GET", "DELETE", "PATCH"]) {
      const again = await call(method, `/api/posts/${post.id}/`, { token: alice.access, body: method === "PATCH" ? { title: "x" } : undefined });
      expect(again).toMatchObject({ status: 404, body: NOT_FOUND });
    }
  });

  it("deleting a post deletes its comments, likes, feed entries and notifications; other posts keep their counters", async () => {
    const alice = await signedInUser();
    const [bob, carol] = [await signedInUser(), await signedInUser()];
    const post = await publish(alice);
    const other = await publish(alice, "Other");
    for (const user of [bob, carol]) {
      expect((await call("POST", `/api/posts/${post.id}/like/`, { token: user.access })).status).toBe(201);
      await comment(user, post.id);
    }
    expect((await call("POST", `/api/posts/${other.id}/like/`, { token: bob.access })).status).toBe(201);
    await comment(carol, other.id);
    await dbRun("insert into feed_entries (owner_id, post_id, author_id) values (?, ?, ?)", bob.id, post.id, alice.id);
    expect(await dbRow("select count(*) as n from notifications where post_id = ?", post.id)).toEqual({ n: 4 });

    expect((await call("DELETE", `/api/posts/${post.id}/`, { token: alice.access })).status).toBe(204);
    for (const table of ["comments", "likes", "feed_entries", "notifications"]) {
      expect(await dbRow(`select count(*) as n from ${table} where post_id = ?`, post.id), table).toEqual({ n: 0 });
    }
    expect(await counters(other.id)).toEqual({ held: { likes_count: 1, comments_count: 1 }, counted: { likes_count: 1, comments_count: 1 } });
    expect(await dbRow("select count(*) as n from notifications where post_id = ?", other.id)).toEqual({ n: 2 });
  });
});

describe("posts: who may do what", () => {
  it("answers 401 to writes without credentials, and the bad-token 401 even on reads", async () => {
    const alice = await signedInUser();
    const post = await publish(alice);
    for (const [method, path] of [["POST", "/api/posts/"], ["PUT", `/api/posts/${post.id}/`], ["PATCH", `/api/posts/${post.id}/`], ["DELETE", `/api/posts/${post.id}/`]]) {
      const response = await call(method!, path!, { body: { title: "t", content: "c" } });
      expect(response.status, `${method} ${path}`).toBe(401);
      expect(response.body).toEqual(NO_CREDENTIALS);
      expect(response.headers.get("WWW-Authenticate")).toBe('Bearer realm="api"');
    }
    for (const path of ["/api/posts/", `/api/posts/${post.id}/`, `/api/users/${alice.id}/posts/`]) {
      const response = await call("GET", path, { token: "not.a.token" });
      expect(response.status, path).toBe(401);
      expect(response.body).toEqual(BAD_TOKEN);
      const bare = await call("GET", path, { headers: { Authorization: "Bearer" } });
      expect(bare.body).toEqual({ detail: "Authorization header must contain two space-delimited values", code: "bad_authorization_header" });
    }
    // Another scheme is not a Bearer token: the read is anonymous, as DRF's JWTAuthentication leaves it.
    expect((await call("GET", `/api/posts/${post.id}/`, { headers: { Authorization: "Basic eDp5" } })).status).toBe(200);
    expect(await postRow(post.id)).toMatchObject({ title: post.title, content: post.content });
  });

  it("answers 403 on another's post before any write, 404 for unknown ids", async () => {
    const [alice, bob] = [await signedInUser(), await signedInUser()];
    const post = await publish(alice);
    const before = await postRow(post.id);
    for (const method of ["PUT", "PATCH", "DELETE"]) {
      const response = await call(method, `/api/posts/${post.id}/`, { token: bob.access, body: { title: "Mine now", content: "x" } });
      expect(response, method).toMatchObject({ status: 403, body: FORBIDDEN });
    }
    expect(await postRow(post.id)).toEqual(before);
    for (const id of [999999, "abc", "0", "-1", "99999999999999999999"]) {
      expect(await call("GET", `/api/posts/${id}/`), String(id)).toMatchObject({ status: 404, body: NOT_FOUND });
      expect(await call("PATCH", `/api/posts/${id}/`, { token: bob.access, body: { title: "x" } })).toMatchObject({ status: 404, body: NOT_FOUND });
    }
  });

  it("refuses an inactive caller (401) on writes and on reads with their token", async () => {
    const alice = await signedInUser();
    const post = await publish(alice);
    await setFlags(alice.id, { isActive: false });
    const inactive = { detail: "User is inactive", code: "user_inactive" };
    expect(await call("GET", `/api/posts/${post.id}/`, { token: alice.access })).toMatchObject({ status: 401, body: inactive });
    expect(await call("POST", "/api/posts/", { token: alice.access, body: { title: "t", content: "c" } })).toMatchObject({ status: 401, body: inactive });
    expect(await call("DELETE", `/api/posts/${post.id}/`, { token: alice.access })).toMatchObject({ status: 401, body: inactive });
    expect(await dbRow("select count(*) as n from posts where author_id = ?", alice.id)).toEqual({ n: 1 });
  });

  it("hides each side's posts from the other while a block stands (404 by id, before 403), never from anonymous readers", async () => {
    const [alice, bob, carol] = [await signedInUser(), await signedInUser(), await signedInUser()];
    const alicePost = await publish(alice, "Alice's unique words");
    const bobPost = await publish(bob, "Bob's unique words");
    await block(alice.id, bob.id);
    for (const [viewer, hidden] of [[alice, bobPost], [bob, alicePost]] as const) {
      expect(await call("GET", `/api/posts/${hidden.id}/`, { token: viewer.access })).toMatchObject({ status: 404, body: NOT_FOUND });
      for (const method of ["PATCH", "DELETE"]) {
        expect(await call(method, `/api/posts/${hidden.id}/`, { token: viewer.access, body: { title: "x" } })).toMatchObject({ status: 404, body: NOT_FOUND });
      }
      const listed = await call("GET", "/api/posts/?search=unique&page_size=100", { token: viewer.access });
      expect(listed.body.results.map((p: { id: number }) => p.id)).not.toContain(hidden.id);
      const author = hidden === bobPost ? bob : alice;
      const theirs = await call("GET", `/api/users/${author.id}/posts/`, { token: viewer.access });
      expect(theirs).toMatchObject({ status: 200, body: { next: null, previous: null, results: [] } });
      expect((await call("GET", `/api/posts/?author=${author.id}`, { token: viewer.access })).body.results).toEqual([]);
    }
    for (const token of [undefined, carol.access]) {
      const listed = await call("GET", "/api/posts/?search=unique&page_size=100", { token });
      expect(listed.body.results.map((p: { id: number }) => p.id)).toEqual(expect.arrayContaining([alicePost.id, bobPost.id]));
      expect((await call("GET", `/api/posts/${bobPost.id}/`, { token })).status).toBe(200);
    }
    expect(await postRow(bobPost.id)).toMatchObject({ title: "Bob's unique words" });
  });

  it("costs one statement per read and per write (Server-Timing), on either engine", async () => {
    const [alice, bob] = [await signedInUser(), await signedInUser()];
    const post = await publish(alice);
    const cases: [string, string, Record<string, unknown> | undefined, string | undefined][] = [
      ["GET", "/api/posts/?search=a,b&page_size=5", undefined, bob.access],
      ["GET", `/api/posts/?author=${alice.id}`, undefined, undefined],
      ["GET", `/api/posts/${post.id}/`, undefined, bob.access],
      ["GET", `/api/users/${alice.id}/posts/`, undefined, bob.access],
      ["POST", "/api/posts/", { title: "t", content: "c" }, bob.access],
      ["PATCH", `/api/posts/${post.id}/`, { title: "t2" }, alice.access],
      ["PATCH", `/api/posts/${post.id}/`, { title: "t3" }, bob.access],
    ];
    for (const [method, path, body, token] of cases) {
      const response = await call(method, path, { body, token });
      expect(response.status, `${method} ${path}`).toBeLessThan(404);
      expect(statementsOf(response.headers), `${method} ${path}`).toBe(1);
    }
  });

  it("answers OPTIONS with DRF's metadata built from the validating schemas", async () => {
    const list = await call("OPTIONS", "/api/posts/");
    expect(list.status).toBe(200);
    expect(list.headers.get("Allow")).toBe("GET, HEAD, POST, OPTIONS");
    const field = (label: string, max_length: number) => ({ type: "string", required: true, read_only: false, label, max_length, min_length: 1 });
    expect(list.body).toEqual({
      name: "Posts, newest first (search, author filter)",
      description: "",
      renders: ["application/json"],
      parses: ["application/json", "application/x-www-form-urlencoded", "multipart/form-data"],
      actions: { POST: { title: field("Title", 255), content: field("Content", 10000) } },
    });
    const one = await call("OPTIONS", "/api/posts/1/");
    expect(one.headers.get("Allow")).toBe("GET, HEAD, PUT, PATCH, DELETE, OPTIONS");
    expect(one.body.actions.PATCH).toEqual({ title: { ...field("Title", 255), required: false }, content: { ...field("Content", 10000), required: false } });
    expect(one.body.actions.PUT).toEqual({ title: field("Title", 255), content: field("Content", 10000) });
  });
});
