/** Notifications (API.md "Notifications"): made by follows, undone with them, unread first, read, hidden while a mute or block lasts. */
import { describe, expect, it } from "vitest";
import { dbRow, dbRun } from "./db";
import { ORIGIN, call, signedInUser } from "./helpers";

type User = Awaited<ReturnType<typeof signedInUser>>;

const follow = (by: User, target: User) => call("POST", `/api/auth/follow/${target.id}/`, { token: by.access });
const unfollow = (by: User, target: User) => call("POST", `/api/auth/unfollow/${target.id}/`, { token: by.access });
const list = (user: User, query = "") => call("GET", `/api/notifications/${query}`, { token: user.access });
const unread = async (user: User) => (await call("GET", "/api/notifications/unread-count/", { token: user.access })).body;
const read = (user: User, id: number | string) => call("POST", `/api/notifications/${id}/read/`, { token: user.access });
const ids = (body: { results: { id: number }[] }) => body.results.map((notification) => notification.id);
const TIMESTAMP = expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);

/** The `<public user>` of `user` as `viewer` sees them. */
async function publicUser(user: User, isFollowing: boolean) {
  const counts = await dbRow<{ followers_count: number; following_count: number }>("select followers_count, following_count from users where id = ?", user.id);
  return { id: user.id, username: user.username, bio: null, profile_picture: null, ...counts, is_following: isFollowing };
}

/** A post of `author` (raw: the posts routes are another part's). */
async function postOf(author: User) {
  const now = new Date();
  return (await dbRow<{ id: number }>("insert into posts (author_id, title, content, created_at, updated_at) values (?, 't', 'c', ?, ?) returning id", author.id, now, now))!.id;
}

/** A like or comment notification, as the content routes write them (raw: they are another part's). */
async function notify(recipient: User, actor: User, kind: "like" | "comment", postId: number, cause = `${kind}:${actor.id}:${postId}:${Math.random()}`) {
  return (await dbRow<{ id: number }>(
    "insert into notifications (recipient_id, actor_id, kind, post_id, comment_id, cause, read, created_at) values (?, ?, ?, ?, null, ?, ?, ?) returning id",
    recipient.id, actor.id, kind, postId, cause, false, new Date()))!.id;
}

describe("GET /api/notifications/", () => {
  it("notifies the user followed, once however often repeated, and an unfollow removes it", async () => {
    const [alice, bob] = [await signedInUser(), await signedInUser()];
    await follow(bob, alice);
    await follow(bob, alice);
    const response = await list(alice);
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      next: null,
      previous: null,
      results: [{ id: expect.any(Number), actor: await publicUser(bob, false), verb: "followed you", target: null, read: false, timestamp: TIMESTAMP }],
    });
    // The follower is not notified of anything.
    expect((await list(bob)).body.results).toEqual([]);
    await unfollow(bob, alice);
    await unfollow(bob, alice);
    expect((await list(alice)).body).toEqual({ next: null, previous: null, results: [] });
    await follow(bob, alice);
    expect((await list(alice)).body.results).toHaveLength(1);
  });

  it("shows a like's and a comment's post, with the caller's follow of the actor", async () => {
    const [alice, bob] = [await signedInUser(), await signedInUser()];
    const post = await postOf(alice);
    await follow(alice, bob);
    await notify(alice, bob, "like", post);
    await notify(alice, bob, "comment", post);
    const { body } = await list(alice);
    const actor = await publicUser(bob, true);
    expect(body.results).toEqual([
      { id: expect.any(Number), actor, verb: "commented on your post", target: { type: "post", id: post }, read: false, timestamp: TIMESTAMP },
      { id: expect.any(Number), actor, verb: "liked your post", target: { type: "post", id: post }, read: false, timestamp: TIMESTAMP },
    ]);
  });

  it("lists unread first, then newest, and pages both ways without gaps or duplicates", async () => {
    const alice = await signedInUser();
    const fans = await Promise.all(Array.from({ length: 5 }, () => signedInUser()));
    for (const fan of fans) await follow(fan, alice);
    const made = ids((await list(alice)).body);
    expect(made).toHaveLength(5);
    await read(alice, made[1]!);
    await read(alice, made[3]!);
    const order = [made[0], made[2], made[4], made[1], made[3]];
    expect(ids((await list(alice)).body)).toEqual(order);
    const pages: number[][] = [];
    let page = await list(alice, "?page_size=2");
    for (;;) {
      pages.push(ids(page.body));
      if (!page.body.next) break;
      expect(page.body.next.startsWith(`${ORIGIN}/api/notifications/?`)).toBe(true);
      page = await call("GET", page.body.next.slice(ORIGIN.length), { token: alice.access });
    }
    expect(pages).toEqual([order.slice(0, 2), order.slice(2, 4), order.slice(4)]);
    const back = await call("GET", page.body.previous.slice(ORIGIN.length), { token: alice.access });
    expect(ids(back.body)).toEqual(order.slice(2, 4));
    const first = await call("GET", back.body.previous.slice(ORIGIN.length), { token: alice.access });
    expect(ids(first.body)).toEqual(order.slice(0, 2));
    expect(first.body.previous).toBeNull();
  });

  it("leaves out, while it lasts, actors the caller mutes or shares a block with", async () => {
    const [alice, muted, blocked, blocker, other] = [await signedInUser(), await signedInUser(), await signedInUser(), await signedInUser(), await signedInUser()];
    const post = await postOf(alice);
    for (const actor of [muted, blocked, blocker, other]) await notify(alice, actor, "like", post);
    await call("POST", `/api/users/${muted.id}/mute/`, { token: alice.access });
    await call("POST", `/api/users/${blocked.id}/block/`, { token: alice.access });
    await call("POST", `/api/users/${alice.id}/block/`, { token: blocker.access });
    const actors = async () => (await list(alice)).body.results.map((notification: { actor: { id: number } }) => notification.actor.id);
    expect(await actors()).toEqual([other.id]);
    expect(await unread(alice)).toEqual({ unread_count: 1 });
    await call("POST", `/api/users/${muted.id}/unmute/`, { token: alice.access });
    await call("POST", `/api/users/${blocked.id}/unblock/`, { token: alice.access });
    await call("POST", `/api/users/${alice.id}/unblock/`, { token: blocker.access });
    expect(await actors()).toEqual([other.id, blocker.id, blocked.id, muted.id]);
    expect(await unread(alice)).toEqual({ unread_count: 4 });
  });

  it("reads a bounded window: hidden notifications past it end a page early, and its links go on past them", async () => {
    const [alice, muted, visible] = [await signedInUser(), await signedInUser(), await signedInUser()];
    const post = await postOf(alice);
    const oldest = await notify(alice, visible, "comment", post);
    // page_size=1 reads at most 20 rows of a range: 45 hidden ones fill two windows and part of a third.
    for (let i = 0; i < 45; i++) await notify(alice, muted, "comment", post);
    const newest = await notify(alice, visible, "comment", post);
    await call("POST", `/api/users/${muted.id}/mute/`, { token: alice.access });
    const walk = async (from: string, link: "next" | "previous") => {
      const pages: number[][] = [];
      for (let path: string | null = from; path; ) {
        const page = await call("GET", path, { token: alice.access });
        expect(page.status).toBe(200);
        pages.push(ids(page.body));
        path = page.body[link] && page.body[link].slice(ORIGIN.length);
        if (!path) return { pages, last: page.body };
      }
      throw new Error("unreachable");
    };
    const forward = await walk("/api/notifications/?page_size=1", "next");
    expect(forward.pages).toEqual([[newest], [], [oldest]]);
    const backward = await walk(forward.last.previous.slice(ORIGIN.length), "previous");
    expect(backward.pages).toEqual([[], [], [newest]]);
    expect(await unread(alice)).toEqual({ unread_count: 2 });
  });

  it("refuses a bad cursor and a caller without credentials", async () => {
    const alice = await signedInUser();
    const bad = await list(alice, "?cursor=nonsense");
    expect(bad.status).toBe(404);
    expect(bad.body).toEqual({ detail: "Invalid cursor" });
    for (const [method, path] of [["GET", "/api/notifications/"], ["GET", "/api/notifications/unread-count/"], ["POST", "/api/notifications/read-all/"], ["POST", "/api/notifications/1/read/"]]) {
      const response = await call(method!, path!);
      expect(response.status, path).toBe(401);
      expect(response.body).toEqual({ detail: "Authentication credentials were not provided." });
    }
  });
});

describe("POST /api/notifications/<id>/read/, read-all/ and GET unread-count/", () => {
  it("marks one read (idempotent), and answers 404 for another's or an unknown one, changing nothing", async () => {
    const [alice, bob, carol] = [await signedInUser(), await signedInUser(), await signedInUser()];
    await follow(bob, alice);
    await follow(bob, carol);
    const [mine] = ids((await list(alice)).body);
    const [theirs] = ids((await list(carol)).body);
    for (let time = 0; time < 2; time++) {
      const response = await read(alice, mine!);
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ id: mine, actor: await publicUser(bob, false), verb: "followed you", target: null, read: true, timestamp: TIMESTAMP });
    }
    for (const id of [theirs!, 999999999, "abc", "0"]) {
      const refused = await read(alice, id);
      expect(refused.status, String(id)).toBe(404);
      expect(refused.body).toEqual({ detail: "Not found." });
    }
    expect(await dbRow("select read from notifications where id = ?", theirs!)).toEqual({ read: 0 });
    expect(await unread(carol)).toEqual({ unread_count: 1 });
  });

  it("marks every notification read and counts the unread ones the list shows", async () => {
    const [alice, bob, carol, dave] = [await signedInUser(), await signedInUser(), await signedInUser(), await signedInUser()];
    for (const fan of [bob, carol, dave]) await follow(fan, alice);
    await follow(alice, bob);
    expect(await unread(alice)).toEqual({ unread_count: 3 });
    await read(alice, ids((await list(alice)).body)[0]!);
    expect(await unread(alice)).toEqual({ unread_count: 2 });
    for (let time = 0; time < 2; time++) {
      const response = await call("POST", "/api/notifications/read-all/", { token: alice.access });
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ detail: "All notifications marked as read." });
    }
    expect(await unread(alice)).toEqual({ unread_count: 0 });
    expect((await list(alice)).body.results.map((n: { read: boolean }) => n.read)).toEqual([true, true, true]);
    // Only the caller's.
    expect(await unread(bob)).toEqual({ unread_count: 1 });
    await dbRun("update notifications set read = ? where recipient_id = ?", false, alice.id);
    expect(await unread(alice)).toEqual({ unread_count: 3 });
  });
});
