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
});
