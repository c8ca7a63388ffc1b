/** Follows on PostgreSQL: the edge and both counters move together, under races and a deletion racing them. */
import { describe, expect, it } from "vitest";
import { CallerRefused } from "../../src/store";
import { type Made, callerOf, makeUser, newStore, openTransaction, rows, signIn, waits, withStore } from "./store-helpers";

/** Users whose counters disagree with the follows rows (none, always). */
const wrongCounters = () =>
  rows(`select id from users u where followers_count <> (select count(*) from follows where followee_id = u.id)
    or following_count <> (select count(*) from follows where follower_id = u.id)`);
const counters = async (user: Made) => (await rows("select followers_count, following_count from users where id = $1", [user.id]))[0];

describe("follow and unfollow", () => {
  it("move the edge and both counters together, once however often repeated", async () => {
    const [me, them] = [await makeUser(), await makeUser()];
    const { caller } = await callerOf(me);
    const now = Date.now();
    expect(await caller.follows.change("follow", them.id, now)).toMatchObject({
      caller: { id: me.id },
      target: { username: them.username, blocked: false, changed: true, feedPull: false, followersCount: 1 },
    });
    expect((await caller.follows.change("follow", them.id, now)).target).toEqual({ username: them.username, blocked: false, changed: false, feedPull: false, followersCount: 1 });
    expect(await counters(me)).toEqual({ followers_count: 0, following_count: 1 });
    expect(await counters(them)).toEqual({ followers_count: 1, following_count: 0 });
    expect(await rows("select count(*)::int as n from follows where follower_id = $1 and followee_id = $2", [me.id, them.id])).toEqual([{ n: 1 }]);
    expect((await caller.follows.change("unfollow", them.id, now)).target).toEqual({ username: them.username, blocked: false, changed: true, feedPull: false, followersCount: 0 });
    expect((await caller.follows.change("unfollow", them.id, now)).target).toMatchObject({ changed: false, followersCount: 0 });
    expect(await counters(me)).toEqual({ followers_count: 0, following_count: 0 });
    expect(await counters(them)).toEqual({ followers_count: 0, following_count: 0 });
    expect(await wrongCounters()).toEqual([]);
  });

  it("answer no such user for an unknown target, and write nothing", async () => {
    const me = await makeUser();
    const { caller } = await callerOf(me);
    const result = await caller.follows.change("follow", me.id + 10_000, Date.now());
    expect(result.target).toBeUndefined();
    expect(await rows("select count(*)::int as n from follows where follower_id = $1", [me.id])).toEqual([{ n: 0 }]);
    expect(await counters(me)).toEqual({ followers_count: 0, following_count: 0 });
  });

  it("keep counters equal to rows under 20 racing follows of one pair, then 20 racing unfollows", async () => {
    const [me, them] = [await makeUser(), await makeUser()];
    const identity = await signIn(me);
    for (const action of ["follow", "unfollow"] as const) {
      await Promise.all(Array.from({ length: 20 }, () => newStore().caller(identity).follows.change(action, them.id, Date.now())));
      expect(await counters(them)).toEqual({ followers_count: action === "follow" ? 1 : 0, following_count: 0 });
      expect(await wrongCounters()).toEqual([]);
    }
  });

  it("keep counters equal to rows when users follow and unfollow one another at random, all at once", async () => {
    const people = await Promise.all(Array.from({ length: 6 }, () => makeUser()));
    const identities = await Promise.all(people.map((person) => signIn(person)));
    const moves = Array.from({ length: 40 }, (_, i) => {
      const from = i % people.length;
      const to = (from + 1 + (i % (people.length - 1))) % people.length;
      return newStore().caller(identities[from]!).follows.change(i % 3 === 2 ? "unfollow" : "follow", people[to]!.id, Date.now());
    });
    await Promise.all(moves);
    expect(await wrongCounters()).toEqual([]);
  });

  it("answer no such user when the target is deleted while the follow runs", async () => {
    const [me, them] = [await makeUser(), await makeUser()];
    const { caller } = await callerOf(me);
    const deletion = await openTransaction();
    await deletion.query("delete from users where id = $1", [them.id]);
    const follow = caller.follows.change("follow", them.id, Date.now());
    // The follow's foreign-key check waits for the deletion, then fails; a new attempt finds no such user.
    expect(await waits(follow)).toBe(true);
    await deletion.commit();
    expect((await follow).target).toBeUndefined();
    expect(await counters(me)).toEqual({ followers_count: 0, following_count: 0 });
  });

  it("refuse a caller deleted while the follow runs", async () => {
    const [me, them] = [await makeUser(), await makeUser()];
    const { caller } = await callerOf(me);
    const deletion = await openTransaction();
    await deletion.query("delete from users where id = $1", [me.id]);
    const follow = caller.follows.change("follow", them.id, Date.now());
    expect(await waits(follow)).toBe(true);
    await deletion.commit();
    await expect(follow).rejects.toEqual(new CallerRefused("user_not_found"));
    expect(await counters(them)).toEqual({ followers_count: 0, following_count: 0 });
  });
});

describe("a deletion racing follows", () => {
  it("waits for a follow in progress, and moves its counter back", async () => {
    const [victim, fan] = [await makeUser(), await makeUser()];
    const { caller } = await callerOf(victim);
    const follow = await openTransaction();
    await follow.query("insert into follows (follower_id, followee_id, created_at) values ($1, $2, now())", [fan.id, victim.id]);
    await follow.query("update users set following_count = following_count + 1 where id = $1", [fan.id]);
    const deletion = caller.deleteAccount(Date.now());
    expect(await waits(deletion)).toBe(true);
    await follow.commit();
    expect((await deletion).deleted).toEqual({ profilePicture: null });
    expect(await counters(fan)).toEqual({ followers_count: 0, following_count: 0 });
    expect(await wrongCounters()).toEqual([]);
  });

  it("leaves counters equal to rows when 20 users follow and unfollow a user while it deletes its account", async () => {
    for (let round = 0; round < 3; round += 1) {
      const victim = await makeUser();
      const fans = await Promise.all(Array.from({ length: 20 }, () => makeUser()));
      const identities = await Promise.all(fans.map((fan) => signIn(fan)));
      // Half already follow it (and unfollow now), half follow it now; it follows some of them too.
      for (const identity of identities.slice(0, 10)) {
        await withStore((store) => store.caller(identity).follows.change("follow", victim.id, Date.now()));
      }
      const { caller } = await callerOf(victim);
      for (const fan of fans.slice(5, 15)) await caller.follows.change("follow", fan.id, Date.now());
      const [deleted] = await Promise.all([
        caller.deleteAccount(Date.now()),
        ...identities.map((identity, i) => newStore().caller(identity).follows.change(i < 10 ? "unfollow" : "follow", victim.id, Date.now())),
      ]);
      expect(deleted.deleted).toEqual({ profilePicture: null });
      expect(await rows("select count(*)::int as n from follows where follower_id = $1 or followee_id = $1", [victim.id])).toEqual([{ n: 0 }]);
      expect(await wrongCounters()).toEqual([]);
    }
  });
});

describe("pages", () => {
  it("list followers and following newest first, by cursor both ways, with the caller's follow flags", async () => {
    const owner = await makeUser();
    const fans = [await makeUser(), await makeUser(), await makeUser()];
    for (const fan of fans) {
      const identity = await signIn(fan);
      await withStore((store) => store.caller(identity).follows.change("follow", owner.id, Date.now()));
    }
    const viewer = await makeUser();
    const { caller } = await callerOf(viewer);
    await caller.follows.change("follow", fans[1]!.id, Date.now());
    const first = await caller.follows.page(owner.id, "followers", undefined, 2);
    expect(first.ownerExists).toBe(true);
    expect(first.entries.map((entry) => [entry.user.username, entry.isFollowing])).toEqual([
      [fans[2]!.username, false],
      [fans[1]!.username, true],
      [fans[0]!.username, false],
    ]);
    expect(first.entries[0]!.user).toMatchObject({ id: fans[2]!.id, followingCount: 1, dateJoined: expect.any(Date) });
    const positions = first.entries.map((entry) => entry.position);
    const next = await caller.follows.page(owner.id, "followers", { id: positions[1]!, forward: true }, 2);
    expect(next.entries.map((entry) => entry.user.id)).toEqual([fans[0]!.id]);
    const back = await caller.follows.page(owner.id, "followers", { id: positions[2]!, forward: false }, 1);
    expect(back.entries.map((entry) => entry.user.id)).toEqual([fans[1]!.id, fans[2]!.id]);
    const following = await caller.follows.page(fans[0]!.id, "following", undefined, 10);
    expect(following.entries.map((entry) => entry.user.id)).toEqual([owner.id]);
    expect(await caller.follows.page(owner.id + 10_000, "followers", undefined, 10)).toMatchObject({ ownerExists: false, entries: [] });
  });
});
