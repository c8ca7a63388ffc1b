/**
 * GET /api/auth/profile/export/ with social data (API.md "Account deletion and export
 * (additions)"): the caller's posts, comments, likes, blocks, mutes and notifications, whole, as
 * the API's routes show them to the caller, however many, a page at a time.
 */
import { describe, expect, it } from "vitest";
import { dbRows, dbRun } from "./db";
import { call, signedInUser } from "./helpers";
import { ISO, comment, commentBody, postBody, publish } from "./content";

type User = Awaited<ReturnType<typeof signedInUser>>;

const ok = async (response: Promise<{ status: number; body: any }>, status = 200) => {
  const sent = await response;
  expect(sent.status, JSON.stringify(sent.body)).toBe(status);
  return sent;
};
const follow = (by: User, target: User) => ok(call("POST", `/api/auth/follow/${target.id}/`, { token: by.access }));
const relate = (by: User, action: "block" | "mute", target: User) => ok(call("POST", `/api/users/${target.id}/${action}/`, { token: by.access }));
const like = (by: User, postId: number) => ok(call("POST", `/api/posts/${postId}/like/`, { token: by.access }), 201);
const exported = async (user: User) => (await ok(call("GET", "/api/auth/profile/export/", { token: user.access }))).body;
const results = async (user: User, path: string) => (await ok(call("GET", path, { token: user.access }))).body.results;

/** `user`'s `<public user>` as the caller sees them. */
const publicUser = (user: User, counts: { followers: number; following: number }, isFollowing: boolean) => ({
  id: user.id, username: user.username, bio: null, profile_picture: null, followers_count: counts.followers, following_count: counts.following, is_following: isFollowing,
});

describe("GET /api/auth/profile/export/ with social data", () => {
  it("exports the caller's posts, comments, likes, blocks, mutes and every notification, as the routes show them", async () => {
    const [me, alice, bob, carol, erin] = [await signedInUser(), await signedInUser(), await signedInUser(), await signedInUser(), await signedInUser()];
    await follow(me, alice);
    const [first, second] = [await publish(me, "Mine, first", "My content"), await publish(me, "Mine, second", "More of mine")];
    const [alices, erins] = [await publish(alice, "Alice's"), await publish(erin, "Erin's")];
    const onAlices = await comment(me, alices.id, "On Alice's");
    const onMine = await comment(me, first.id, "On my own");
    const onErins = await comment(me, erins.id, "On Erin's");
    for (const post of [alices, first, erins]) await like(me, post.id);
    await like(alice, first.id);
    await comment(alice, second.id, "Alice on mine");
    await follow(carol, me);
    await like(bob, second.id);
    // Hidden from the notifications list (a mute, a block), not from the export: they are the caller's.
    await relate(me, "mute", carol);
    await relate(me, "block", bob);
    // A block by the author of a post the caller commented on and liked: the caller's own comment and like are still theirs.
    await relate(erin, "block", me);
    const [aliceLike] = await results(me, "/api/notifications/?page_size=100").then((shown: { id: number; verb: string }[]) => shown.filter((n) => n.verb === "liked your post"));
    await ok(call("POST", `/api/notifications/${aliceLike!.id}/read/`, { token: me.access }));

    const body = await exported(me);
    const mine = { id: me.id, username: me.username, access: me.access };
    expect(body.posts).toEqual([
      postBody(mine, second, { likes_count: 1, comments_count: 1 }),
      postBody(mine, first, { likes_count: 2, comments_count: 1, liked: true }),
    ]);
    expect(body.posts).toEqual(await results(me, `/api/users/${me.id}/posts/`));
    expect(body.comments).toEqual([
      commentBody(mine, erins.id, { id: onErins.id, content: "On Erin's" }),
      commentBody(mine, first.id, { id: onMine.id, content: "On my own" }),
      commentBody(mine, alices.id, { id: onAlices.id, content: "On Alice's" }),
    ]);
    expect(body.likes).toEqual([erins, alices, first].map((post) => ({ post: post.id, created_at: ISO })));
    expect(body.blocks).toEqual([publicUser(bob, { followers: 0, following: 0 }, false)]);
    expect(body.blocks).toEqual(await results(me, "/api/auth/blocks/"));
    expect(body.mutes).toEqual([publicUser(carol, { followers: 0, following: 1 }, false)]);
    expect(body.mutes).toEqual(await results(me, "/api/auth/mutes/"));
    const aliceSeen = publicUser(alice, { followers: 1, following: 0 }, true);
    const note = (actor: unknown, verb: string, target: { id: number } | null, read = false) => ({
      id: expect.any(Number), actor, verb, target: target && { type: "post", id: target.id }, read, timestamp: ISO,
    });
    // Unread first, then newest, as the list orders them.
    expect(body.notifications).toEqual([
      note(publicUser(bob, { followers: 0, following: 0 }, false), "liked your post", second),
      note(publicUser(carol, { followers: 0, following: 1 }, false), "followed you", null),
      note(aliceSeen, "commented on your post", second),
      note(aliceSeen, "liked your post", first, true),
    ]);
    // The list leaves out the muted and the blocked actors' (while that lasts); the export does not.
    expect(await results(me, "/api/notifications/")).toEqual(body.notifications.slice(2));
    // Nobody else's: Alice's export has her post, comment and like, and her notifications only.
    const hers = await exported(alice);
    expect(hers.posts.map((post: { id: number }) => post.id)).toEqual([alices.id]);
    expect(hers.comments.map((made: { content: string }) => made.content)).toEqual(["Alice on mine"]);
    expect(hers.likes).toEqual([{ post: first.id, created_at: ISO }]);
    expect(hers.notifications.map((n: { verb: string }) => n.verb)).toEqual(["liked your post", "commented on your post", "followed you"]);
    expect([hers.blocks, hers.mutes]).toEqual([[], []]);
  });

  it("exports every post, comment, like and notification however many, whole, a page at a time", async () => {
    const [me, other] = [await signedInUser(), await signedInUser()];
    const at = new Date("2026-01-01T00:00:00.000Z");
    const bulk = (author: User, count: number) =>
      dbRun(
        `with recursive n(i) as (select 1 union all select i + 1 from n where i < ${count})
         insert into posts (author_id, title, content, created_at, updated_at) select ?, 'Bulk ' || i, 'Bulk content', ?, ? from n`,
        author.id, at, at,
      );
    await bulk(me, 250);
    await bulk(other, 1234);
    await dbRun("insert into likes (user_id, post_id, created_at) select ?, id, ? from posts where author_id = ?", me.id, at, other.id);
    await dbRun("insert into comments (post_id, author_id, content, created_at, updated_at) select id, ?, 'Bulk comment', ?, ? from posts where author_id = ? order by id", me.id, at, at, other.id);
    await dbRun("update posts set likes_count = 1, comments_count = 1 where author_id = ?", other.id);
    // Half of them read: the export lists the unread ones first.
    await dbRun(
      `insert into notifications (recipient_id, actor_id, kind, post_id, comment_id, cause, read, created_at)
       select ?, ?, 'like', id, null, 'bulk:' || id, (id % 2 = 0), ? from posts where author_id = ? order by id`,
      me.id, other.id, at, other.id,
    );
    const theirs = (await dbRows<{ id: number }>("select id from posts where author_id = ? order by id desc", other.id)).map((row) => row.id);

    const body = await exported(me);
    const ids = (list: { id: number }[]) => list.map((entry) => entry.id);
    const mine = (await dbRows<{ id: number }>("select id from posts where author_id = ? order by id desc", me.id)).map((row) => row.id);
    expect(mine).toHaveLength(250);
    expect(ids(body.posts)).toEqual(mine);
    expect(body.posts[0]).toEqual({
      id: mine[0], author: me.username, author_id: me.id, title: "Bulk 250", content: "Bulk content", created_at: at.toISOString(), updated_at: at.toISOString(),
      likes_count: 0, comments_count: 0, liked: false,
    });
    expect(body.likes).toEqual(theirs.map((id) => ({ post: id, created_at: at.toISOString() })));
    expect(body.comments).toHaveLength(1234);
    expect(body.comments.map((made: { post: number }) => made.post)).toEqual(theirs);
    expect(new Set(ids(body.comments)).size).toBe(1234);
    const unread = theirs.filter((id) => id % 2 !== 0);
    const read = theirs.filter((id) => id % 2 === 0);
    expect(body.notifications.map((n: { target: { id: number }; read: boolean }) => [n.target.id, n.read])).toEqual([
      ...unread.map((id) => [id, false]),
      ...read.map((id) => [id, true]),
    ]);
    expect(new Set(ids(body.notifications)).size).toBe(1234);
  });

  it("documents the new lists in the OpenAPI document", async () => {
    const { schemas } = (await call("GET", "/api/schema/")).body.components;
    expect(schemas.AccountExport.required).toEqual(["profile", "followers", "following", "sessions", "social_accounts", "known_addresses", "two_factor", "posts", "comments", "likes", "blocks", "mutes", "notifications", "passkeys"]);
    const list = (name: string) => ({ type: "array", items: { $ref: `#/components/schemas/${name}` }, description: expect.any(String) });
    expect(schemas.AccountExport.properties).toMatchObject({
      posts: list("Post"),
      comments: list("Comment"),
      likes: list("ExportedLike"),
      blocks: list("PublicUser"),
      mutes: list("PublicUser"),
      notifications: list("Notification"),
    });
    expect(schemas.ExportedLike).toMatchObject({
      properties: { post: { type: "integer" }, created_at: { type: "string", format: "date-time" } },
      required: ["post", "created_at"],
    });
  });
});
