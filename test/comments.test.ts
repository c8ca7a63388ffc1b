import { describe, expect, it } from "vitest";
import { anonymousFrame, commentsPageQuery } from "../src/store/postgres/content-reads";
import { ENGINE, dbRow, dbRows, dbRun } from "./db";
import { call, signedInUser } from "./helpers";
import { FORBIDDEN, ISO, NOT_FOUND, NO_CREDENTIALS, block, comment, commentBody, counters, publish, rowsExamined, statementsOf } from "./content";

const ids = (body: { results: { id: number }[] }) => body.results.map((row) => row.id);
const notificationsOf = (postId: number) =>
  dbRows("select recipient_id, actor_id, kind, post_id, comment_id, cause, read from notifications where post_id = ? order by id", postId);
const INVALID_POST = { post: ["Select a valid choice. That choice is not one of the available choices."] };

describe("comments: create, read, list", () => {
  it("comments under a post (201), moves its counter, notifies its author, and lists comments newest first", async () => {
    const [alice, bob] = [await signedInUser(), await signedInUser()];
    const post = await publish(alice);
    const created = await call("POST", `/api/posts/${post.id}/comments/`, { token: bob.access, body: { content: "  Nice post \n", post: 999 } });
    expect(created.status).toBe(201);
    expect(created.body).toEqual(commentBody(bob, post.id, { id: created.body.id, content: "Nice post" }));
    const own = await comment(alice, post.id, "Thanks");
    expect(await counters(post.id)).toEqual({ held: { likes_count: 0, comments_count: 2 }, counted: { likes_count: 0, comments_count: 2 } });
    // Notified once, for Bob's comment: never for a comment on one's own post.
    expect(await notificationsOf(post.id)).toEqual([
      { recipient_id: alice.id, actor_id: bob.id, kind: "comment", post_id: post.id, comment_id: created.body.id, cause: `comment:${created.body.id}`, read: 0 },
    ]);
    const expected = [commentBody(alice, post.id, { id: own.id, content: "Thanks" }), created.body];
    for (const path of [`/api/posts/${post.id}/comments/`, `/api/comments/?post=${post.id}`]) {
      const listed = await call("GET", path);
      expect(listed.status).toBe(200);
      expect(listed.body).toEqual({ next: null, previous: null, results: expected });
    }
    const everyone = await call("GET", "/api/comments/?page_size=2", { token: bob.access });
    expect(everyone.body.results).toEqual(expected);
    expect((await call("GET", `/api/comments/${own.id}/`)).body).toEqual(expected[0]);
    expect((await call("GET", `/api/posts/${post.id}/`)).body.comments_count).toBe(2);
  });

  it("takes the course's flat POST /api/comments/ with the post's id, and PrimaryKeyRelatedField's messages", async () => {
    const [alice, bob] = [await signedInUser(), await signedInUser()];
    const post = await publish(alice);
    const created = await call("POST", "/api/comments/", { token: bob.access, body: { post: post.id, content: "Flat" } });
    expect(created.status).toBe(201);
    expect(created.body).toEqual(commentBody(bob, post.id, { id: created.body.id, content: "Flat" }));
    const form = await call("POST", "/api/comments/", { token: bob.access, body: new URLSearchParams({ post: String(post.id), content: "Form" }) });
    expect(form.status).toBe(201);
    const cases: [Record<string, unknown>, Record<string, string[]>][] = [
      [{}, { post: ["This field is required."], content: ["This field is required."] }],
      [{ post: null, content: "x" }, { post: ["This field may not be null."] }],
      [{ post: "abc", content: "x" }, { post: ["Incorrect type. Expected pk value, received str."] }],
      [{ post: true, content: "x" }, { post: ["Incorrect type. Expected pk value, received bool."] }],
      [{ post: [post.id], content: "" }, { post: ["Incorrect type. Expected pk value, received list."], content: ["This field may not be blank."] }],
      [{ post: 99999999, content: "x" }, { post: ['Invalid pk "99999999" - object does not exist.'] }],
      [{ post: "99999999999999999999", content: "x" }, { post: ['Invalid pk "99999999999999999999" - object does not exist.'] }],
    ];
    for (const [body, errors] of cases) {
      const response = await call("POST", "/api/comments/", { token: bob.access, body });
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.body).toEqual(errors);
    }
    expect(await counters(post.id)).toEqual({ held: { likes_count: 0, comments_count: 2 }, counted: { likes_count: 0, comments_count: 2 } });
  });

  it("validates the content (DRF's messages, 2000 code points) and writes nothing when refused", async () => {
    const [alice, bob] = [await signedInUser(), await signedInUser()];
    const post = await publish(alice);
    const long = await call("POST", `/api/posts/${post.id}/comments/`, { token: bob.access, body: { content: "😀".repeat(2000) } });
    expect(long.status).toBe(201);
    const cases: [Record<string, unknown>, string[]][] = [
      [{}, ["This field is required."]],
      [{ content: " \t" }, ["This field may not be blank."]],
      [{ content: "😀".repeat(2001) }, ["Ensure this field has no more than 2000 characters."]],
      [{ content: false }, ["Not a valid string."]],
    ];
    for (const [body, errors] of cases) {
      const response = await call("POST", `/api/posts/${post.id}/comments/`, { token: bob.access, body });
      expect(response).toMatchObject({ status: 400, body: { content: errors } });
    }
    expect(await counters(post.id)).toEqual({ held: { likes_count: 0, comments_count: 1 }, counted: { likes_count: 0, comments_count: 1 } });
  });

  it("answers 404 for an unknown post, and django-filter's 400 for ?post= naming none (before a bad cursor's 404)", async () => {
    const alice = await signedInUser();
    const post = await publish(alice);
    expect(await call("GET", "/api/posts/999999/comments/")).toMatchObject({ status: 404, body: NOT_FOUND });
    expect(await call("POST", "/api/posts/999999/comments/", { token: alice.access, body: { content: "x" } })).toMatchObject({ status: 404, body: NOT_FOUND });
    for (const value of ["999999", "abc", "0", "1.0"]) {
      expect(await call("GET", `/api/comments/?post=${value}&cursor=junk`), value).toMatchObject({ status: 400, body: INVALID_POST });
    }
    expect(await call("GET", `/api/comments/?post=${post.id}&cursor=junk`)).toMatchObject({ status: 404, body: { detail: "Invalid cursor" } });
    expect(await call("GET", "/api/comments/999999/")).toMatchObject({ status: 404, body: NOT_FOUND });
  });

  it("pages a post's comments by cursor, without duplicates or gaps", async () => {
    const [alice, bob] = [await signedInUser(), await signedInUser()];
    const post = await publish(alice);
    const made = [];
    for (let i = 0; i < 5; i++) made.push((await comment(i % 2 ? alice : bob, post.id, `c${i}`)).id);
    const first = await call("GET", `/api/posts/${post.id}/comments/?page_size=2`);
    expect(ids(first.body)).toEqual([made[4], made[3]]);
    const next = new URL(first.body.next);
    const second = await call("GET", next.pathname + next.search);
    expect(ids(second.body)).toEqual([made[2], made[1]]);
    const last = new URL(second.body.next);
    expect(ids((await call("GET", last.pathname + last.search)).body)).toEqual([made[0]]);
  });
});

describe("comments: what a page reads", () => {
  it("reads about a page of a post's comments, however many comments other posts have (D1's rows read, PostgreSQL's plan)", async () => {
    const [alice, noisy] = [await signedInUser(), await signedInUser()];
    const post = await publish(alice);
    const busy = await publish(noisy);
    for (let i = 0; i < 3; i++) await comment(alice, post.id);
    if (ENGINE === "d1") {
      const values = Array.from({ length: 300 }, () => `(${busy.id}, ${noisy.id}, 'noise', ${Date.now()}, ${Date.now()})`);
      await dbRun(`insert into comments (post_id, author_id, content, created_at, updated_at) values ${values.join(", ")}`);
    } else {
      await dbRun("insert into comments (post_id, author_id, content, created_at, updated_at) select ?, ?, 'noise', now(), now() from generate_series(1, 20000)", busy.id, noisy.id);
      await dbRun("analyze comments");
    }
    const examined = async (path: string, postId: number | undefined, status: number) => {
      const response = await call("GET", path, { token: alice.access });
      expect(response.status, path).toBe(status);
      const size = /page_size=5/.test(path) ? 5 : 20;
      return rowsExamined(response.headers, "comments", () => commentsPageQuery({ ...anonymousFrame, viewer: alice.id }, postId, undefined, size));
    };
    expect(await examined(`/api/posts/${post.id}/comments/`, post.id, 200)).toBeLessThan(40);
    expect(await examined(`/api/comments/?post=${post.id}`, post.id, 200)).toBeLessThan(40);
    expect(await examined("/api/comments/?page_size=5", undefined, 200)).toBeLessThan(40);
    // A post hidden by a block: none of its comments is read to answer 404.
    await block(noisy.id, alice.id);
    expect(await examined(`/api/posts/${busy.id}/comments/`, busy.id, 404)).toBeLessThan(40);
  });
});

describe("comments: edits and permissions", () => {
  it("lets only the author edit (PUT needs content, PATCH any subset) or delete: 401 without credentials, 403 for others, before any write", async () => {
    const [alice, bob] = [await signedInUser(), await signedInUser()];
    const post = await publish(alice);
    const made = await comment(bob, post.id, "Original");
    const path = `/api/comments/${made.id}/`;
    for (const method of ["PUT", "PATCH", "DELETE"]) {
      expect(await call(method, path, { body: { content: "x" } })).toMatchObject({ status: 401, body: NO_CREDENTIALS });
      // The post's author is not the comment's author.
      expect(await call(method, path, { token: alice.access, body: { content: "x" } })).toMatchObject({ status: 403, body: FORBIDDEN });
    }
    expect(await call("POST", "/api/comments/", { body: { post: post.id, content: "x" } })).toMatchObject({ status: 401, body: NO_CREDENTIALS });
    expect(await dbRow("select content from comments where id = ?", made.id)).toEqual({ content: "Original" });
    expect(await call("PUT", path, { token: bob.access, body: {} })).toMatchObject({ status: 400, body: { content: ["This field is required."] } });
    await new Promise((resolve) => setTimeout(resolve, 5));
    const put = await call("PUT", path, { token: bob.access, body: { content: " Edited " } });
    expect(put.status).toBe(200);
    expect(put.body).toEqual({ ...commentBody(bob, post.id, { id: made.id, content: "Edited" }), created_at: made.created_at, updated_at: ISO });
    expect(put.body.updated_at > made.created_at).toBe(true);
    const patch = await call("PATCH", path, { token: bob.access, body: {} });
    expect(patch).toMatchObject({ status: 200, body: { content: "Edited" } });
    expect(await call("PATCH", "/api/comments/999999/", { token: bob.access, body: {} })).toMatchObject({ status: 404, body: NOT_FOUND });
  });

  it("deletes a comment with its notification; concurrent deletions move the counter once", async () => {
    const [alice, bob] = [await signedInUser(), await signedInUser()];
    const post = await publish(alice);
    const made = await comment(bob, post.id);
    await comment(bob, post.id);
    expect(await notificationsOf(post.id)).toHaveLength(2);
    const deletions = await Promise.all(Array.from({ length: 5 }, () => call("DELETE", `/api/comments/${made.id}/`, { token: bob.access })));
    expect(deletions.every((response) => response.status === 204 || response.status === 404)).toBe(true);
    expect(deletions.some((response) => response.status === 204)).toBe(true);
    expect(await counters(post.id)).toEqual({ held: { likes_count: 0, comments_count: 1 }, counted: { likes_count: 0, comments_count: 1 } });
    expect(await dbRow("select count(*) as n from notifications where comment_id = ? or cause = ?", made.id, `comment:${made.id}`)).toEqual({ n: 0 });
    expect(await notificationsOf(post.id)).toHaveLength(1);
  });

  it("keeps the counter equal to the rows through concurrent comments", async () => {
    const alice = await signedInUser();
    const users = await Promise.all(Array.from({ length: 5 }, () => signedInUser()));
    const post = await publish(alice);
    const responses = await Promise.all(users.flatMap((user) => [0, 1].map(() => call("POST", `/api/posts/${post.id}/comments/`, { token: user.access, body: { content: "race" } }))));
    expect(responses.map((response) => response.status)).toEqual(Array(10).fill(201));
    expect(await counters(post.id)).toEqual({ held: { likes_count: 0, comments_count: 10 }, counted: { likes_count: 0, comments_count: 10 } });
    expect(await dbRow("select count(*) as n from notifications where post_id = ? and kind = 'comment'", post.id)).toEqual({ n: 10 });
  });

  it("hides comments of, and on posts of, users who share a block with the reader; anonymous readers see all", async () => {
    const [alice, bob, carol] = [await signedInUser(), await signedInUser(), await signedInUser()];
    const alicePost = await publish(alice);
    const carolPost = await publish(carol);
    const onAlices = await comment(carol, alicePost.id);
    const bobsOnCarols = await comment(bob, carolPost.id);
    const carolsOnCarols = await comment(carol, carolPost.id);
    await block(bob.id, alice.id);
    // Bob no longer sees Alice's post nor its thread; Alice no longer sees Bob's comment.
    expect(await call("GET", `/api/posts/${alicePost.id}/comments/`, { token: bob.access })).toMatchObject({ status: 404, body: NOT_FOUND });
    expect(await call("POST", `/api/posts/${alicePost.id}/comments/`, { token: bob.access, body: { content: "x" } })).toMatchObject({ status: 404, body: NOT_FOUND });
    expect(await call("POST", "/api/comments/", { token: bob.access, body: { post: alicePost.id, content: "x" } })).toMatchObject({
      status: 400,
      body: { post: [`Invalid pk "${alicePost.id}" - object does not exist.`] },
    });
    expect(await call("GET", `/api/comments/?post=${alicePost.id}`, { token: bob.access })).toMatchObject({ status: 400, body: INVALID_POST });
    expect(await call("GET", `/api/comments/${onAlices.id}/`, { token: bob.access })).toMatchObject({ status: 404, body: NOT_FOUND });
    expect(await call("GET", `/api/comments/${bobsOnCarols.id}/`, { token: alice.access })).toMatchObject({ status: 404, body: NOT_FOUND });
    expect(ids((await call("GET", `/api/posts/${carolPost.id}/comments/`, { token: alice.access })).body)).toEqual([carolsOnCarols.id]);
    const everyone = ids((await call("GET", "/api/comments/?page_size=100", { token: alice.access })).body);
    expect(everyone).toContain(onAlices.id);
    expect(everyone).not.toContain(bobsOnCarols.id);
    expect(ids((await call("GET", `/api/posts/${carolPost.id}/comments/`)).body)).toEqual([carolsOnCarols.id, bobsOnCarols.id]);
    expect(await counters(alicePost.id)).toEqual({ held: { likes_count: 0, comments_count: 1 }, counted: { likes_count: 0, comments_count: 1 } });
  });

  it("costs one statement per read and per write, and answers OPTIONS with the flat body's fields", async () => {
    const [alice, bob] = [await signedInUser(), await signedInUser()];
    const post = await publish(alice);
    const made = await comment(bob, post.id);
    const cases: [string, string, Record<string, unknown> | undefined][] = [
      ["GET", `/api/posts/${post.id}/comments/`, undefined],
      ["GET", `/api/comments/?post=${post.id}`, undefined],
      ["GET", `/api/comments/${made.id}/`, undefined],
      ["POST", "/api/comments/", { post: post.id, content: "x" }],
      ["PATCH", `/api/comments/${made.id}/`, { content: "y" }],
      ["DELETE", `/api/comments/${made.id}/`, undefined],
    ];
    for (const [method, path, body] of cases) {
      const response = await call(method, path, { body, token: bob.access });
      expect(response.status, `${method} ${path}`).toBeLessThan(300);
      expect(statementsOf(response.headers), `${method} ${path}`).toBe(1);
    }
    const options = await call("OPTIONS", "/api/comments/");
    expect(options.headers.get("Allow")).toBe("GET, HEAD, POST, OPTIONS");
    expect(options.body.actions).toEqual({
      POST: {
        post: { type: "field", required: true, read_only: false, label: "Post" },
        content: { type: "string", required: true, read_only: false, label: "Content", max_length: 2000, min_length: 1 },
      },
    });
  });
});
