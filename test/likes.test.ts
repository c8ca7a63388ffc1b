import { describe, expect, it } from "vitest";
import { dbRow, dbRows } from "./db";
import { call, setFlags, signedInUser } from "./helpers";
import { NOT_FOUND, NO_CREDENTIALS, block, counters, publish, statementsOf } from "./content";

const like = (token: string | undefined, postId: number | string) => call("POST", `/api/posts/${postId}/like/`, { token });
const unlike = (token: string | undefined, postId: number | string) => call("POST", `/api/posts/${postId}/unlike/`, { token });
const ALREADY = { detail: "You have already liked this post." };
const NOT_LIKED = { detail: "You have not liked this post." };

const likeNotifications = (postId: number) => dbRows("select recipient_id, actor_id, kind, post_id, comment_id, cause, read from notifications where post_id = ? and kind = 'like'", postId);
const consistent = (postId: number, likes: number) => ({ held: { likes_count: likes, comments_count: 0 }, counted: { likes_count: likes, comments_count: 0 } });

describe("POST /api/posts/<id>/like/ and /unlike/", () => {
  it("likes (201) and unlikes (200) with the count after the change, the liked flag, and the author's notification", async () => {
    const [alice, bob] = [await signedInUser(), await signedInUser()];
    const post = await publish(alice);
    expect(await like(bob.access, post.id)).toMatchObject({ status: 201, body: { detail: "Post liked.", likes_count: 1 } });
    expect(await likeNotifications(post.id)).toEqual([
      { recipient_id: alice.id, actor_id: bob.id, kind: "like", post_id: post.id, comment_id: null, cause: `like:${bob.id}:${post.id}`, read: 0 },
    ]);
    expect((await call("GET", `/api/posts/${post.id}/`, { token: bob.access })).body).toMatchObject({ likes_count: 1, liked: true });
    expect((await call("GET", `/api/posts/${post.id}/`, { token: alice.access })).body).toMatchObject({ likes_count: 1, liked: false });
    expect((await call("GET", `/api/posts/${post.id}/`)).body).toMatchObject({ likes_count: 1, liked: false });
    for (const path of [`/api/posts/?author=${alice.id}`, `/api/users/${alice.id}/posts/`]) {
      expect((await call("GET", path, { token: bob.access })).body.results[0]).toMatchObject({ id: post.id, liked: true });
    }

    expect(await unlike(bob.access, post.id)).toMatchObject({ status: 200, body: { detail: "Post unliked.", likes_count: 0 } });
    expect(await likeNotifications(post.id)).toEqual([]);
    expect((await call("GET", `/api/posts/${post.id}/`, { token: bob.access })).body).toMatchObject({ likes_count: 0, liked: false });
    expect(await counters(post.id)).toEqual(consistent(post.id, 0));
  });

  it("answers the course's 400s when nothing would change, and changes nothing", async () => {
    const [alice, bob] = [await signedInUser(), await signedInUser()];
    const post = await publish(alice);
    expect(await unlike(bob.access, post.id)).toMatchObject({ status: 400, body: NOT_LIKED });
    await like(bob.access, post.id);
    expect(await like(bob.access, post.id)).toMatchObject({ status: 400, body: ALREADY });
    expect(await counters(post.id)).toEqual(consistent(post.id, 1));
    expect(await likeNotifications(post.id)).toHaveLength(1);
    // Liking again after an unlike notifies again, once.
    await unlike(bob.access, post.id);
    expect(await unlike(bob.access, post.id)).toMatchObject({ status: 400, body: NOT_LIKED });
    expect(await like(bob.access, post.id)).toMatchObject({ status: 201, body: { detail: "Post liked.", likes_count: 1 } });
    expect(await likeNotifications(post.id)).toHaveLength(1);
  });

  it("lets authors like their own posts, without notifying themselves", async () => {
    const alice = await signedInUser();
    const post = await publish(alice);
    expect(await like(alice.access, post.id)).toMatchObject({ status: 201, body: { detail: "Post liked.", likes_count: 1 } });
    expect(await likeNotifications(post.id)).toEqual([]);
    expect((await call("GET", `/api/posts/${post.id}/`, { token: alice.access })).body).toMatchObject({ liked: true, likes_count: 1 });
  });

  it("counts ten concurrent likes by one user as one like (one 201), on either engine", async () => {
    const [alice, bob] = [await signedInUser(), await signedInUser()];
    const post = await publish(alice);
    const responses = await Promise.all(Array.from({ length: 10 }, () => like(bob.access, post.id)));
    expect(responses.filter((response) => response.status === 201)).toHaveLength(1);
    expect(responses.filter((response) => response.status === 400).map((response) => response.body)).toEqual(Array(9).fill(ALREADY));
    expect(responses.find((response) => response.status === 201)!.body).toEqual({ detail: "Post liked.", likes_count: 1 });
    expect(await counters(post.id)).toEqual(consistent(post.id, 1));
    expect(await dbRow("select count(*) as n from likes where post_id = ? and user_id = ?", post.id, bob.id)).toEqual({ n: 1 });
    expect(await likeNotifications(post.id)).toHaveLength(1);
  });

  it("keeps the count equal to the likes through concurrent likes and unlikes by many users", async () => {
    const alice = await signedInUser();
    const users = await Promise.all(Array.from({ length: 6 }, () => signedInUser()));
    const post = await publish(alice);
    const requests = [];
    for (let round = 0; round < 4; round++) for (const user of users) requests.push(round % 2 ? unlike(user.access, post.id) : like(user.access, post.id), like(user.access, post.id));
    const responses = await Promise.all(requests);
    expect(responses.every((response) => [200, 201, 400].includes(response.status))).toBe(true);
    const { held, counted } = await counters(post.id);
    expect(held).toEqual(counted);
    expect(await dbRow("select count(*) as n from notifications where post_id = ? and kind = 'like'", post.id)).toEqual({ n: counted!.likes_count });
  });

  it("answers 401 without credentials, 404 for unknown posts and for posts a block hides (either way), changing nothing", async () => {
    const [alice, bob, carol] = [await signedInUser(), await signedInUser(), await signedInUser()];
    const post = await publish(alice);
    await like(bob.access, post.id);
    for (const action of [like, unlike]) {
      expect(await action(undefined, post.id)).toMatchObject({ status: 401, body: NO_CREDENTIALS });
      for (const id of [999999, "x", "0"]) expect(await action(bob.access, id)).toMatchObject({ status: 404, body: NOT_FOUND });
    }
    await block(alice.id, bob.id);
    await block(carol.id, alice.id);
    expect(await unlike(bob.access, post.id)).toMatchObject({ status: 404, body: NOT_FOUND });
    expect(await like(carol.access, post.id)).toMatchObject({ status: 404, body: NOT_FOUND });
    expect(await counters(post.id)).toEqual(consistent(post.id, 1));
    expect(await likeNotifications(post.id)).toHaveLength(1);
    await setFlags(carol.id, { isActive: false });
    expect(await like(carol.access, post.id)).toMatchObject({ status: 401, body: { detail: "User is inactive", code: "user_inactive" } });
  });

  it("costs one statement per like or unlike, and answers 405 with Allow to other methods", async () => {
    const [alice, bob] = [await signedInUser(), await signedInUser()];
    const post = await publish(alice);
    for (const action of [like, unlike, unlike]) expect(statementsOf((await action(bob.access, post.id)).headers)).toBe(1);
    const get = await call("GET", `/api/posts/${post.id}/like/`, { token: bob.access });
    expect(get).toMatchObject({ status: 405, body: { detail: 'Method "GET" not allowed.' } });
    expect(get.headers.get("Allow")).toBe("POST, OPTIONS");
  });
});
