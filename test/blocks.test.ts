/** Blocks and mutes (API.md "Blocks, mutes, relationships"): the changes, their effects on follows, and the feed's work they queue. */
import { describe, expect, it } from "vitest";
import type { FeedJob } from "../src/store";
import { dbRow, dbRows, dbRun } from "./db";
import { call, signedInUser } from "./helpers";

type User = Awaited<ReturnType<typeof signedInUser>>;
type Action = "block" | "unblock" | "mute" | "unmute";

const act = (action: Action, by: User, target: number | string, env?: Partial<Cloudflare.Env>) =>
  call("POST", `/api/users/${target}/${action}/`, { token: by.access, env });
const follow = (by: User, target: User) => call("POST", `/api/auth/follow/${target.id}/`, { token: by.access });
const unfollow = (by: User, target: User) => call("POST", `/api/auth/unfollow/${target.id}/`, { token: by.access });

const relationship = (id: number, fields: Partial<Record<"following" | "followed_by" | "blocking" | "blocked_by" | "muting", boolean>> = {}) => ({
  id, following: false, followed_by: false, blocking: false, blocked_by: false, muting: false, ...fields,
});
const counts = (id: number) => dbRow("select followers_count, following_count from users where id = ?", id);
const followsBetween = (a: User, b: User) =>
  dbRows("select follower_id from follows where (follower_id = ?1 and followee_id = ?2) or (follower_id = ?2 and followee_id = ?1)", a.id, b.id);
const notificationsBetween = (a: User, b: User) =>
  dbRows("select id from notifications where (actor_id = ?1 and recipient_id = ?2) or (actor_id = ?2 and recipient_id = ?1)", a.id, b.id);
const FORBIDDEN = { detail: "You do not have permission to perform this action." };

/** A FEED_QUEUE that records what is sent (the app then runs with it, its deferred work awaited). */
function recordingQueue() {
  const sent: FeedJob[] = [];
  const queue = { send: async (job: FeedJob) => void sent.push(job), sendBatch: async () => undefined };
  return { sent, env: { FEED_QUEUE: queue as unknown as Queue<FeedJob> } };
}

describe("POST /api/users/<id>/block/ and unblock/", () => {
  it("ends the follows both ways with both users' counters and their notifications, and answers the relationship", async () => {
    const [alice, bob, carol] = [await signedInUser(), await signedInUser(), await signedInUser()];
    await follow(alice, bob);
    await follow(bob, alice);
    await follow(carol, alice);
    await follow(alice, carol);
    const response = await act("block", alice, bob.id);
    expect(response.status).toBe(200);
    expect(response.body).toEqual(relationship(bob.id, { blocking: true }));
    expect(await followsBetween(alice, bob)).toEqual([]);
    expect(await notificationsBetween(alice, bob)).toEqual([]);
    expect(await counts(alice.id)).toEqual({ followers_count: 1, following_count: 1 });
    expect(await counts(bob.id)).toEqual({ followers_count: 0, following_count: 0 });
    // Carol's follows, and their notifications, are untouched.
    expect(await notificationsBetween(alice, carol)).toHaveLength(2);
    expect((await act("block", bob, alice.id)).body).toEqual(relationship(alice.id, { blocking: true, blocked_by: true }));
  });

  it("refuses a follow either way while the block stands (403), changing nothing; an unfollow changes nothing", async () => {
    const [alice, bob] = [await signedInUser(), await signedInUser()];
    await act("block", alice, bob.id);
    for (const [from, to] of [[alice, bob], [bob, alice]] as const) {
      const refused = await follow(from, to);
      expect(refused.status).toBe(403);
      expect(refused.body).toEqual(FORBIDDEN);
      const undone = await unfollow(from, to);
      expect(undone.status).toBe(200);
      expect(undone.body).toEqual({ detail: `You have unfollowed ${to.username}.` });
    }
    expect(await followsBetween(alice, bob)).toEqual([]);
    expect(await notificationsBetween(alice, bob)).toEqual([]);
    expect(await counts(alice.id)).toEqual({ followers_count: 0, following_count: 0 });
    expect(await counts(bob.id)).toEqual({ followers_count: 0, following_count: 0 });
  });

  it("restores no follow when lifted, keeps profiles visible, and lets them follow again", async () => {
    const [alice, bob] = [await signedInUser(), await signedInUser()];
    await follow(alice, bob);
    await act("block", bob, alice.id);
    const profile = await call("GET", `/api/users/${bob.id}/`, { token: alice.access });
    expect(profile.status).toBe(200);
    expect(profile.body).toMatchObject({ id: bob.id, username: bob.username, followers_count: 0, is_following: false });
    const lifted = await act("unblock", bob, alice.id);
    expect(lifted.status).toBe(200);
    expect(lifted.body).toEqual(relationship(alice.id));
    expect(await followsBetween(alice, bob)).toEqual([]);
    expect((await follow(alice, bob)).status).toBe(200);
    expect(await counts(bob.id)).toEqual({ followers_count: 1, following_count: 0 });
  });

  it("is idempotent: a repeat answers the same and changes nothing", async () => {
    const [alice, bob] = [await signedInUser(), await signedInUser()];
    await follow(bob, alice);
    for (const [action, expected] of [
      ["block", relationship(bob.id, { blocking: true })],
      ["unblock", relationship(bob.id)],
      ["mute", relationship(bob.id, { muting: true })],
      ["unmute", relationship(bob.id)],
    ] as const) {
      for (let time = 0; time < 2; time++) {
        const response = await act(action, alice, bob.id);
        expect(response.status, `${action} ${time}`).toBe(200);
        expect(response.body, `${action} ${time}`).toEqual(expected);
      }
    }
    expect(await dbRows("select id from blocks where blocker_id = ?", alice.id)).toEqual([]);
    expect(await counts(alice.id)).toEqual({ followers_count: 0, following_count: 0 });
  });

  it("refuses yourself with the contract's words, and answers 404 for unknown users, changing nothing", async () => {
    const alice = await signedInUser();
    for (const action of ["block", "unblock", "mute", "unmute"] as const) {
      const self = await act(action, alice, alice.id);
      expect(self.status).toBe(400);
      expect(self.body).toEqual({ detail: `You cannot ${action} yourself.` });
      for (const id of [999999, "abc", "0"]) {
        const unknown = await act(action, alice, id);
        expect(unknown.status, `${action} ${id}`).toBe(404);
        expect(unknown.body).toEqual({ detail: "Not found." });
      }
    }
    expect(await dbRows("select id from blocks where blocker_id = ?1 union all select id from mutes where muter_id = ?1", alice.id)).toEqual([]);
    const anonymous = await call("POST", `/api/users/${alice.id}/block/`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.body).toEqual({ detail: "Authentication credentials were not provided." });
  });
});

describe("POST /api/users/<id>/mute/ and unmute/", () => {
  it("mutes without touching the follows, and the muted user sees no difference", async () => {
    const [alice, bob] = [await signedInUser(), await signedInUser()];
    await follow(alice, bob);
    await follow(bob, alice);
    expect((await act("mute", alice, bob.id)).body).toEqual(relationship(bob.id, { following: true, followed_by: true, muting: true }));
    expect(await followsBetween(alice, bob)).toHaveLength(2);
    const seen = await call("GET", `/api/users/relationships/?id=${alice.id}`, { token: bob.access });
    expect(seen.body).toEqual({ results: [relationship(alice.id, { following: true, followed_by: true })] });
    expect((await act("unmute", alice, bob.id)).body).toEqual(relationship(bob.id, { following: true, followed_by: true }));
  });
});

describe("the feed's work", () => {
  it("purges both ways after a block, the muted user's posts after a mute, and backfills a followed user after an unmute", async () => {
    const [alice, bob, carol] = [await signedInUser(), await signedInUser(), await signedInUser()];
    const block = recordingQueue();
    await act("block", alice, bob.id, block.env);
    expect(block.sent).toEqual([
      { kind: "purge", ownerId: alice.id, authorId: bob.id },
      { kind: "purge", ownerId: bob.id, authorId: alice.id },
    ]);
    await follow(alice, carol);
    const mute = recordingQueue();
    await act("mute", alice, carol.id, mute.env);
    expect(mute.sent).toEqual([{ kind: "purge", ownerId: alice.id, authorId: carol.id }]);
    const unmute = recordingQueue();
    await act("unmute", alice, carol.id, unmute.env);
    expect(unmute.sent).toEqual([{ kind: "backfill", ownerId: alice.id, authorId: carol.id }]);
    // Not followed, or a pull author (read from their own posts): nothing to bring back.
    const quiet = recordingQueue();
    await act("mute", alice, bob.id);
    await act("unmute", alice, bob.id, quiet.env);
    await act("unblock", alice, bob.id, quiet.env);
    await call("POST", `/api/users/${carol.id}/mute/`, { token: alice.access });
    await dbRun("update users set feed_pull = ? where id = ?", true, carol.id);
    await act("unmute", alice, carol.id, quiet.env);
    expect(quiet.sent).toEqual([]);
  });
});

describe("follows racing blocks", () => {
  it("never leave a follow beside a block, nor a counter unequal to its rows", async () => {
    const people = await Promise.all(Array.from({ length: 4 }, () => signedInUser()));
    for (let round = 0; round < 4; round++) {
      const requests: Promise<unknown>[] = [];
      for (const a of people) {
        for (const b of people) {
          if (a === b) continue;
          requests.push(follow(a, b), a.id < b.id && (a.id + b.id + round) % 3 === 0 ? act("block", a, b.id) : unfollow(a, b), follow(a, b));
        }
      }
      await Promise.all(requests);
      const standing = await dbRows(
        "select f.id from follows f join blocks b on (b.blocker_id = f.follower_id and b.blocked_id = f.followee_id) or (b.blocker_id = f.followee_id and b.blocked_id = f.follower_id)");
      expect(standing, `round ${round}`).toEqual([]);
      for (const person of people) {
        expect(await counts(person.id)).toEqual(await dbRow(
          "select (select count(*) from follows where followee_id = ?1) as followers_count, (select count(*) from follows where follower_id = ?1) as following_count", person.id));
      }
      await Promise.all(people.flatMap((a) => people.filter((b) => b !== a).map((b) => act("unblock", a, b.id))));
    }
  });
});
