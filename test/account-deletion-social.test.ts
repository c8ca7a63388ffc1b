/**
 * Account deletion and an admin's deletion with social data (API.md "Account deletion and export
 * (additions)"): the user's posts, comments, likes, feed, notifications, blocks and mutes go whole,
 * every counter stays equal to the rows, nobody else's data changes, even under races.
 */
import { describe, expect, it } from "vitest";
import { dbRow, dbRows, dbRun } from "./db";
import { PASSWORD, call, eventually, signedInUser } from "./helpers";
import { ISO, comment, publish } from "./content";

type User = Awaited<ReturnType<typeof signedInUser>>;

const ok = async (response: Promise<{ status: number; body: unknown }>, status = 200) => {
  const sent = await response;
  expect(sent.status, JSON.stringify(sent.body)).toBe(status);
  return sent;
};
const follow = (by: User, target: User) => ok(call("POST", `/api/auth/follow/${target.id}/`, { token: by.access }));
const relate = (by: User, action: "block" | "mute", target: User) => ok(call("POST", `/api/users/${target.id}/${action}/`, { token: by.access }));
const like = (by: User, postId: number) => ok(call("POST", `/api/posts/${postId}/like/`, { token: by.access }), 201);
const removeSelf = (user: User) => call("DELETE", "/api/auth/profile/", { token: user.access, body: { password: PASSWORD } });
const removeBy = (boss: User, user: User) => call("DELETE", `/api/users/${user.id}/`, { token: boss.access });

async function superuser(): Promise<User> {
  const boss = await signedInUser();
  await dbRun("update users set is_staff = ?, is_superuser = ? where id = ?", true, true, boss.id);
  return boss;
}

/** `?, ?, ...` for `ids` (at least one). */
const marks = (ids: number[]) => ids.map(() => "?").join(", ");

/** The rows of each table that involve user `id` or their posts `postIds` (their own, or about them). */
async function rowsOf(id: number, postIds: number[]) {
  const count = async (query: string, ...params: number[]) => (await dbRow<{ n: number }>(`select count(*) as n from ${query}`, ...params))!.n;
  const mine = marks(postIds);
  return {
    users: await count("users where id = ?", id),
    posts: await count("posts where author_id = ?", id),
    comments: await count(`comments where author_id = ? or post_id in (${mine})`, id, ...postIds),
    likes: await count(`likes where user_id = ? or post_id in (${mine})`, id, ...postIds),
    feed_entries: await count(`feed_entries where owner_id = ? or author_id = ? or post_id in (${mine})`, id, id, ...postIds),
    notifications: await count(`notifications where recipient_id = ? or actor_id = ? or post_id in (${mine})`, id, id, ...postIds),
    follows: await count("follows where follower_id = ? or followee_id = ?", id, id),
    blocks: await count("blocks where blocker_id = ? or blocked_id = ?", id, id),
    mutes: await count("mutes where muter_id = ? or muted_id = ?", id, id),
    token_families: await count("token_families where user_id = ?", id),
    known_addresses: await count("known_addresses where user_id = ?", id),
  };
}

const NONE = { users: 0, posts: 0, comments: 0, likes: 0, feed_entries: 0, notifications: 0, follows: 0, blocks: 0, mutes: 0, token_families: 0, known_addresses: 0 };

/** Every row of the tables that involve nobody of `ids` (nor their posts), as they stand. */
async function othersRows(ids: number[], postIds: number[]) {
  const [users, posts] = [marks(ids), marks(postIds)];
  return {
    posts: await dbRows(`select id, author_id, title, content, created_at, updated_at from posts where author_id not in (${users}) order by id`, ...ids),
    comments: await dbRows(`select * from comments where author_id not in (${users}) and post_id not in (${posts}) order by id`, ...ids, ...postIds),
    likes: await dbRows(`select * from likes where user_id not in (${users}) and post_id not in (${posts}) order by id`, ...ids, ...postIds),
    feed_entries: await dbRows(`select * from feed_entries where owner_id not in (${users}) and author_id not in (${users}) order by owner_id, post_id`, ...ids, ...ids),
    notifications: await dbRows(`select * from notifications where recipient_id not in (${users}) and actor_id not in (${users}) order by id`, ...ids, ...ids),
    follows: await dbRows(`select * from follows where follower_id not in (${users}) and followee_id not in (${users}) order by id`, ...ids, ...ids),
    blocks: await dbRows(`select * from blocks where blocker_id not in (${users}) and blocked_id not in (${users}) order by id`, ...ids, ...ids),
    mutes: await dbRows(`select * from mutes where muter_id not in (${users}) and muted_id not in (${users}) order by id`, ...ids, ...ids),
  };
}

/** Posts and users whose stored counters differ from their rows, in the whole database (none, when all is well). */
async function miscounted() {
  return {
    posts: await dbRows(
      // The counts are named in an outer query: SQLite lets WHERE use a select's aliases, PostgreSQL does not.
      `select * from (
         select id, likes_count, comments_count,
           (select count(*) from likes where post_id = posts.id) as likes,
           (select count(*) from comments where post_id = posts.id) as comments
         from posts) as counted
       where likes_count <> likes or comments_count <> comments`,
    ),
    users: await dbRows(
      `select * from (
         select id, followers_count, following_count,
           (select count(*) from follows where followee_id = users.id) as followers,
           (select count(*) from follows where follower_id = users.id) as following
         from users) as counted
       where followers_count <> followers or following_count <> following`,
    ),
  };
}

/**
 * A victim who posts, likes, comments (on others' posts and their own), follows and is followed,
 * blocks and is blocked, mutes and is muted, is notified and notifies; three others who do the
 * same among themselves (rows the deletion must leave alone); every fan-out landed.
 */
async function socialScene() {
  const [victim, alice, bob, carol, dave] = [await signedInUser(), await signedInUser(), await signedInUser(), await signedInUser(), await signedInUser()];
  await follow(victim, alice);
  await follow(bob, victim);
  await follow(alice, bob);
  const [own1, own2] = [await publish(victim, "Victim's first"), await publish(victim, "Victim's second")];
  const [alices, bobs] = [await publish(alice, "Alice's"), await publish(bob, "Bob's")];
  for (const postId of [alices.id, bobs.id, own1.id]) await like(victim, postId);
  await like(alice, own1.id);
  await like(alice, bobs.id);
  await like(bob, alices.id);
  await comment(victim, alices.id, "First on Alice's");
  await comment(victim, alices.id, "Second on Alice's");
  await comment(victim, bobs.id, "On Bob's");
  await comment(victim, own1.id, "On my own");
  await comment(alice, own1.id, "Alice on the victim's");
  await comment(alice, bobs.id, "Alice on Bob's");
  await comment(bob, own2.id, "Bob on the victim's");
  const bobsOnAlices = await comment(bob, alices.id, "Bob on Alice's");
  await relate(victim, "block", carol);
  await relate(dave, "block", victim);
  await relate(carol, "block", dave);
  await relate(victim, "mute", bob);
  await relate(alice, "mute", victim);
  await relate(bob, "mute", dave);
  // The fan-outs (after the responses, through the queue): the victim's posts to Bob, Alice's to the victim, Bob's to Alice.
  const landed = await eventually(() => dbRow<{ n: number }>("select count(*) as n from feed_entries where owner_id in (?, ?, ?)", victim.id, alice.id, bob.id), (row) => row?.n === 4, 10_000);
  expect(landed).toEqual({ n: 4 });
  const victimPosts = [own1.id, own2.id];
  expect(await rowsOf(victim.id, victimPosts)).toEqual({
    users: 1,
    posts: 2,
    comments: 6,
    likes: 4,
    feed_entries: 3,
    // To Alice: a follow, a like, two comments; to Bob: a like, a comment; to the victim: Bob's follow, Alice's like and comment, Bob's comment.
    notifications: 10,
    follows: 2,
    blocks: 2,
    mutes: 2,
    token_families: 1,
    known_addresses: 1,
  });
  return { victim, alice, bob, carol, dave, victimPosts, alices, bobs, bobsOnAlices };
}

type Scene = Awaited<ReturnType<typeof socialScene>>;

/** After the deletion: nothing of the victim left, the others' counters moved by exactly what the victim had given, their rows as they were. */
async function expectGoneCleanly(scene: Scene, before: Awaited<ReturnType<typeof othersRows>>) {
  const { victim, alice, bob, victimPosts, alices, bobs, bobsOnAlices } = scene;
  expect(await rowsOf(victim.id, victimPosts)).toEqual(NONE);
  expect(await miscounted()).toEqual({ posts: [], users: [] });
  expect(await othersRows([victim.id], victimPosts)).toEqual(before);
  // Alice's post keeps Bob's like and comment; Bob's keeps Alice's.
  const post = (author: User, id: number, title: string) => ({
    id, author: author.username, author_id: author.id, title, content: "Some content", created_at: ISO, updated_at: ISO, likes_count: 1, comments_count: 1, liked: false,
  });
  for (const [author, id, title] of [[alice, alices.id, "Alice's"], [bob, bobs.id, "Bob's"]] as const) {
    const read = await call("GET", `/api/posts/${id}/`);
    expect(read.status).toBe(200);
    expect(read.body).toEqual(post(author, id, title));
  }
  const thread = await call("GET", `/api/posts/${alices.id}/comments/`);
  expect(thread.status).toBe(200);
  expect(thread.body).toEqual({
    next: null,
    previous: null,
    results: [{ id: bobsOnAlices.id, post: alices.id, author: bob.username, author_id: bob.id, content: "Bob on Alice's", created_at: ISO, updated_at: ISO }],
  });
  for (const id of victimPosts) expect(await call("GET", `/api/posts/${id}/`)).toMatchObject({ status: 404, body: { detail: "Not found." } });
  // The follow counters: Alice lost her follower, Bob his followee; Alice's follow of Bob stands.
  const profile = async (user: User) => (await call("GET", "/api/auth/profile/", { token: user.access })).body;
  expect(await profile(alice)).toMatchObject({ followers_count: 0, following_count: 1 });
  expect(await profile(bob)).toMatchObject({ followers_count: 1, following_count: 0 });
  // Alice's notifications: Bob's like and comment on her post, no longer the victim's.
  const actor = { id: bob.id, username: bob.username, bio: null, profile_picture: null, followers_count: 1, following_count: 0, is_following: true };
  expect((await call("GET", "/api/notifications/", { token: alice.access })).body).toEqual({
    next: null,
    previous: null,
    results: [
      { id: expect.any(Number), actor, verb: "commented on your post", target: { type: "post", id: alices.id }, read: false, timestamp: ISO },
      { id: expect.any(Number), actor, verb: "liked your post", target: { type: "post", id: alices.id }, read: false, timestamp: ISO },
    ],
  });
  expect(await call("GET", "/api/auth/profile/", { token: victim.access })).toMatchObject({ status: 401, body: { detail: "User not found", code: "user_not_found" } });
}

describe("deleting a user with social data", () => {
  it("DELETE /api/auth/profile/ deletes their posts, comments, likes, feed, notifications, blocks and mutes, with every counter right", async () => {
    const scene = await socialScene();
    const before = await othersRows([scene.victim.id], scene.victimPosts);
    const response = await removeSelf(scene.victim);
    expect(response.status).toBe(204);
    expect(response.body).toBeUndefined();
    await expectGoneCleanly(scene, before);
  });

  it("DELETE /api/users/<id>/ by a superuser deletes the same, with every counter right", async () => {
    const scene = await socialScene();
    const boss = await superuser();
    const before = await othersRows([scene.victim.id], scene.victimPosts);
    const response = await removeBy(boss, scene.victim);
    expect(response.status).toBe(204);
    expect(response.body).toBeUndefined();
    await expectGoneCleanly(scene, before);
    expect((await call("GET", "/api/auth/profile/", { token: boss.access })).status).toBe(200);
  });

  it("changes nothing, counters included, when staff who are not superusers try it", async () => {
    const scene = await socialScene();
    const staff = await signedInUser();
    await dbRun("update users set is_staff = ? where id = ?", true, staff.id);
    const rows = await rowsOf(scene.victim.id, scene.victimPosts);
    const all = await othersRows([staff.id], [0]);
    const refused = await removeBy(staff, scene.victim);
    expect(refused).toMatchObject({ status: 403, body: { detail: "You do not have permission to perform this action." } });
    expect(await rowsOf(scene.victim.id, scene.victimPosts)).toEqual(rows);
    expect(await othersRows([staff.id], [0])).toEqual(all);
    const counters = await dbRows("select id, likes_count, comments_count from posts where id in (?, ?) order by id", scene.alices.id, scene.bobs.id);
    expect(counters).toEqual([
      { id: scene.alices.id, likes_count: 2, comments_count: 3 },
      { id: scene.bobs.id, likes_count: 2, comments_count: 2 },
    ]);
    expect(await miscounted()).toEqual({ posts: [], users: [] });
  });

  it("keeps every counter equal to the rows when likes and comments by the user and on their posts race the deletion", async () => {
    const victim = await signedInUser();
    const others = await Promise.all(Array.from({ length: 6 }, () => signedInUser()));
    const theirs = await Promise.all(others.map((other) => publish(other, `By ${other.username}`)));
    const own = [await publish(victim, "Mine, one"), await publish(victim, "Mine, two")];
    // Before the race: likes and comments of the victim to unlike and delete while it runs.
    for (const post of theirs.slice(0, 3)) await like(victim, post.id);
    const victimsComments = [];
    for (const post of theirs.slice(0, 3)) victimsComments.push(await comment(victim, post.id, "Soon deleted"));
    for (const other of others.slice(0, 3)) await like(other, own[0]!.id);

    const racing = [
      // By the victim: likes and comments on others' posts, unlikes, comment deletions.
      ...theirs.slice(3).map((post) => call("POST", `/api/posts/${post.id}/like/`, { token: victim.access })),
      ...theirs.map((post) => call("POST", `/api/posts/${post.id}/comments/`, { token: victim.access, body: { content: "Racing" } })),
      ...theirs.slice(0, 3).map((post) => call("POST", `/api/posts/${post.id}/unlike/`, { token: victim.access })),
      ...victimsComments.map((made) => call("DELETE", `/api/comments/${made.id}/`, { token: victim.access })),
      // On the victim's posts: others like, unlike, comment.
      ...others.slice(3).map((other) => call("POST", `/api/posts/${own[0]!.id}/like/`, { token: other.access })),
      ...others.slice(0, 3).map((other) => call("POST", `/api/posts/${own[0]!.id}/unlike/`, { token: other.access })),
      ...others.map((other) => call("POST", `/api/posts/${own[1]!.id}/comments/`, { token: other.access, body: { content: "Racing too" } })),
      // And others on each other's posts, which the deletion recounts.
      ...others.map((other, i) => call("POST", `/api/posts/${theirs[(i + 1) % theirs.length]!.id}/like/`, { token: other.access })),
      removeSelf(victim),
    ];
    const responses = await Promise.all(racing);
    expect(responses.at(-1)!.status).toBe(204);
    // Each racing request landed before the deletion or found nobody (401) or no post (404); a repeat is the course's 400: never a 5xx.
    for (const response of responses) expect([200, 201, 204, 400, 401, 404], JSON.stringify(response.body)).toContain(response.status);
    expect(await rowsOf(victim.id, own.map((post) => post.id))).toEqual(NONE);
    expect(await miscounted()).toEqual({ posts: [], users: [] });
    // Every other user's like of another's post landed (the deletion waited for it, or it for the deletion).
    for (const [i, other] of others.entries()) {
      const liked = await dbRow("select count(*) as n from likes where user_id = ? and post_id = ?", other.id, theirs[(i + 1) % theirs.length]!.id);
      expect(liked).toEqual({ n: 1 });
    }
  });
});
