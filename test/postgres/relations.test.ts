/**
 * Blocks racing follows on PostgreSQL (READ COMMITTED): whichever lands first, no follow stands
 * beside a block and every counter equals its rows. The races are made to run in a chosen order
 * by holding the other side's transaction open (as test/postgres/follows.test.ts does).
 */
import { describe, expect, it } from "vitest";
import { type Made, callerOf, makeUser, newStore, openTransaction, rows, signIn, waits } from "./store-helpers";

/** Users whose counters disagree with the follows rows (none, always). */
const wrongCounters = () =>
  rows(`select id from users u where followers_count <> (select count(*) from follows where followee_id = u.id)
    or following_count <> (select count(*) from follows where follower_id = u.id)`);
/** Follows standing beside a block (none, always). */
const followsUnderBlocks = () =>
  rows(`select f.id from follows f join blocks b on (b.blocker_id = f.follower_id and b.blocked_id = f.followee_id)
    or (b.blocker_id = f.followee_id and b.blocked_id = f.follower_id)`);
const counters = async (user: Made) => (await rows("select followers_count, following_count from users where id = $1", [user.id]))[0];
const lockBoth = (a: Made, b: Made) => `select id from users where id in (${a.id}, ${b.id}) order by id for no key update`;

describe("a follow racing a block", () => {
  it("refuses a follow that waited for a block being made, and changes nothing", async () => {
    const [me, them] = [await makeUser(), await makeUser()];
    const { caller } = await callerOf(me);
    // A block of `me` by `them` in progress, holding both users' rows as a block does.
    const block = await openTransaction();
    await block.query(lockBoth(me, them));
    await block.query("insert into blocks (blocker_id, blocked_id, created_at) values ($1, $2, now())", [them.id, me.id]);
    await block.query("update users set followers_count = followers_count where id in ($1, $2)", [me.id, them.id]);
    const follow = caller.follows.change("follow", them.id, Date.now());
    expect(await waits(follow)).toBe(true);
    await block.commit();
    expect((await follow).target).toEqual({ username: them.username, blocked: true, changed: false, feedPull: false, followersCount: 0 });
    expect(await rows("select id from follows where follower_id = $1", [me.id])).toEqual([]);
    expect(await rows("select id from notifications where actor_id = $1", [me.id])).toEqual([]);
    expect(await counters(me)).toEqual({ followers_count: 0, following_count: 0 });
    expect(await counters(them)).toEqual({ followers_count: 0, following_count: 0 });
  });

  it("ends a follow that was in progress when the block came, with both counters and its notification", async () => {
    const [me, them] = [await makeUser(), await makeUser()];
    const { caller } = await callerOf(me);
    // `them` following `me`, in progress, holding both rows as a follow does.
    const follow = await openTransaction();
    await follow.query(lockBoth(me, them));
    await follow.query("insert into follows (follower_id, followee_id, created_at) values ($1, $2, now())", [them.id, me.id]);
    await follow.query("insert into notifications (recipient_id, actor_id, kind, cause, read, created_at) values ($1, $2, 'follow', $3, false, now())", [me.id, them.id, `follow:${them.id}:${me.id}`]);
    await follow.query("update users set following_count = following_count + (case when id = $2 then 1 else 0 end), followers_count = followers_count + (case when id = $1 then 1 else 0 end) where id in ($1, $2)", [me.id, them.id]);
    const block = caller.relations.change("block", them.id, Date.now());
    expect(await waits(block)).toBe(true);
    await follow.commit();
    expect((await block).relationship).toEqual({ id: them.id, following: false, followedBy: false, blocking: true, blockedBy: false, muting: false });
    expect(await rows("select id from follows where follower_id = $1", [them.id])).toEqual([]);
    expect(await rows("select id from notifications where actor_id = $1", [them.id])).toEqual([]);
    expect(await counters(me)).toEqual({ followers_count: 0, following_count: 0 });
    expect(await counters(them)).toEqual({ followers_count: 0, following_count: 0 });
  });

  it("leaves no follow beside a block, and counters equal to rows, when follows and blocks race at random", async () => {
    const people = await Promise.all(Array.from({ length: 5 }, () => makeUser()));
    const identities = await Promise.all(people.map((person) => signIn(person)));
    for (let round = 0; round < 3; round += 1) {
      const moves = Array.from({ length: 60 }, (_, i) => {
        const from = (i * 7 + round) % people.length;
        const to = (from + 1 + ((i + round) % (people.length - 1))) % people.length;
        const caller = newStore().caller(identities[from]!);
        if (i % 6 === 5) return caller.relations.change(i % 12 === 5 ? "block" : "unblock", people[to]!.id, Date.now());
        return caller.follows.change(i % 4 === 3 ? "unfollow" : "follow", people[to]!.id, Date.now());
      });
      await Promise.all(moves);
      expect(await followsUnderBlocks()).toEqual([]);
      expect(await wrongCounters()).toEqual([]);
    }
  });
});
