import { describe, expect, it } from "vitest";
import type { FeedJob } from "../src/store";
import { call, signedInUser, setFlags } from "./helpers";
import { dbRow, dbRun } from "./db";

const follow = (token: string, id: number | string) => call("POST", `/api/auth/follow/${id}/`, { token });
const unfollow = (token: string, id: number | string) => call("POST", `/api/auth/unfollow/${id}/`, { token });

async function counts(id: number) {
  return dbRow("select followers_count, following_count from users where id = ?", id);
}

/** The counters as the rows say they should be. */
async function countsFromRows(id: number) {
  return dbRow(
    "select (select count(*) from follows where followee_id = ?1) as followers_count, (select count(*) from follows where follower_id = ?1) as following_count", id);
}

describe("POST /api/auth/follow/<id>/ and /unfollow/<id>/", () => {
  it("follows and unfollows with the contract's messages and moves both counters", async () => {
    const alice = await signedInUser();
    const bob = await signedInUser();
    const followed = await follow(alice.access, bob.id);
    expect(followed.status).toBe(200);
    expect(followed.body).toEqual({ detail: `You are now following ${bob.username}.` });
    expect(await counts(alice.id)).toEqual({ followers_count: 0, following_count: 1 });
    expect(await counts(bob.id)).toEqual({ followers_count: 1, following_count: 0 });

    const unfollowed = await unfollow(alice.access, bob.id);
    expect(unfollowed.status).toBe(200);
    expect(unfollowed.body).toEqual({ detail: `You have unfollowed ${bob.username}.` });
    expect(await counts(alice.id)).toEqual({ followers_count: 0, following_count: 0 });
    expect(await counts(bob.id)).toEqual({ followers_count: 0, following_count: 0 });
  });

  it("is idempotent: repeating a follow or an unfollow changes nothing and answers the same", async () => {
    const alice = await signedInUser();
    const bob = await signedInUser();
    const first = await follow(alice.access, bob.id);
    const second = await follow(alice.access, bob.id);
    expect(second).toMatchObject({ status: first.status, body: first.body });
    expect(await counts(bob.id)).toEqual({ followers_count: 1, following_count: 0 });
    await unfollow(alice.access, bob.id);
    const again = await unfollow(alice.access, bob.id);
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ detail: `You have unfollowed ${bob.username}.` });
    expect(await counts(bob.id)).toEqual({ followers_count: 0, following_count: 0 });
    expect(await counts(alice.id)).toEqual({ followers_count: 0, following_count: 0 });
  });

  it("refuses to follow or unfollow yourself, as Django does", async () => {
    const alice = await signedInUser();
    const response = await follow(alice.access, alice.id);
    expect(response.status).toBe(400);
    expect(response.body).toEqual({ detail: "You cannot follow yourself." });
    const undo = await unfollow(alice.access, alice.id);
    expect(undo.status).toBe(400);
    expect(undo.body).toEqual({ detail: "You cannot unfollow yourself." });
    expect(await counts(alice.id)).toEqual({ followers_count: 0, following_count: 0 });
  });

  it("answers 404 for an unknown user and for ids that are not integers or too large", async () => {
    const alice = await signedInUser();
    for (const id of [999999, "abc", "99999999999999999999", "-1", "0"]) {
      for (const action of [follow, unfollow]) {
        const response = await action(alice.access, id);
        expect(response.status, String(id)).toBe(404);
        expect(response.body).toEqual({ detail: "Not found." });
      }
    }
    expect(await counts(alice.id)).toEqual({ followers_count: 0, following_count: 0 });
  });

  it("changes nothing for an inactive caller", async () => {
    const alice = await signedInUser();
    const bob = await signedInUser();
    await setFlags(alice.id, { isActive: false });
    const response = await follow(alice.access, bob.id);
    expect(response.status).toBe(401);
    expect(response.body).toEqual({ detail: "User is inactive", code: "user_inactive" });
    expect(await counts(bob.id)).toEqual({ followers_count: 0, following_count: 0 });
  });

  it("keeps the counters equal to the rows through a storm of concurrent follows and unfollows", async () => {
    const users = await Promise.all(Array.from({ length: 5 }, () => signedInUser()));
    const target = await signedInUser();
    const requests = [];
    for (let round = 0; round < 8; round++) {
      for (const user of users) {
        requests.push(round % 2 === 0 ? follow(user.access, target.id) : unfollow(user.access, target.id));
        requests.push(follow(user.access, target.id));
        requests.push(follow(target.access, user.id));
        requests.push(unfollow(target.access, user.id));
      }
    }
    const responses = await Promise.all(requests);
    expect(responses.every((r) => r.status === 200)).toBe(true);
    for (const user of [...users, target]) {
      expect(await counts(user.id)).toEqual(await countsFromRows(user.id));
    }
  });

  it("marks a follow of a pull author pull, and queues the feed's work only after a change", async () => {
    const [alice, bob, star] = [await signedInUser(), await signedInUser(), await signedInUser()];
    const sent: FeedJob[] = [];
    const env = { FEED_QUEUE: { send: async (job: FeedJob) => void sent.push(job) } as unknown as Queue<FeedJob>, FEED_PULL_THRESHOLD: "2" };
    const jobs = async (path: string, token: string) => {
      sent.length = 0;
      expect((await call("POST", path, { token, env })).status).toBe(200);
      return [...sent];
    };
    expect(await jobs(`/api/auth/follow/${star.id}/`, alice.access)).toEqual([{ kind: "backfill", ownerId: alice.id, authorId: star.id }]);
    expect(await jobs(`/api/auth/follow/${star.id}/`, alice.access)).toEqual([]);
    // The second follower reaches the threshold (2): the author is promoted.
    expect(await jobs(`/api/auth/follow/${star.id}/`, bob.access)).toEqual([
      { kind: "backfill", ownerId: bob.id, authorId: star.id },
      { kind: "promote", authorId: star.id },
    ]);
    expect(await jobs(`/api/auth/unfollow/${star.id}/`, bob.access)).toEqual([{ kind: "purge", ownerId: bob.id, authorId: star.id }]);
    expect(await jobs(`/api/auth/unfollow/${star.id}/`, bob.access)).toEqual([]);
    // A pull author's posts are read from their own index: no backfill, and the follow is marked.
    await dbRun("update users set feed_pull = ? where id = ?", true, star.id);
    expect(await jobs(`/api/auth/follow/${star.id}/`, bob.access)).toEqual([]);
    expect(await dbRow("select pull from follows where follower_id = ? and followee_id = ?", bob.id, star.id)).toEqual({ pull: 1 });
    expect(await dbRow("select pull from follows where follower_id = ? and followee_id = ?", alice.id, star.id)).toEqual({ pull: 0 });
  });
});
