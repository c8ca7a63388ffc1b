import { describe, expect, it } from "vitest";
import { call, signedInUser, setFlags } from "./helpers";
import { dbRow } from "./db";

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
});
