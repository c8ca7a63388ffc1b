/**
 * Blocks racing follows on PostgreSQL (READ COMMITTED): whichever lands first, no follow stands
 * beside a block and every counter equals its rows. The races are made to run in a chosen order
 * by holding the other side's transaction open (as test/postgres/follows.test.ts does); a held
 * block or unblock does what src/store/postgres/relations.ts does, its `relations_version` bump
 * included (the follow's check: src/store/postgres/follows.ts).
 */
import { describe, expect, it } from "vitest";
import type { Tally } from "../../src/store/postgres";
import { call, signedInUser } from "../helpers";
import { storageCalls } from "../server-timing";
import { type Made, callerOf, makeUser, newStore, openTransaction, rows, signIn, untilWaiting, waits } from "./store-helpers";

/** Users whose counters disagree with the follows rows (none, always). */
const wrongCounters = () =>
  rows(`select id from users u where followers_count <> (select count(*) from follows where followee_id = u.id)
    or following_count <> (select count(*) from follows where follower_id = u.id)`);
/** Follows standing beside a block (none, always). */
const followsUnderBlocks = () =>
  rows(`select f.id from follows f join blocks b on (b.blocker_id = f.follower_id and b.blocked_id = f.followee_id)
    or (b.blocker_id = f.followee_id and b.blocked_id = f.follower_id)`);
const counters = async (user: Made) => (await rows("select followers_count, following_count from users where id = $1", [user.id]))[0];
const versions = async (...users: { id: number }[]) =>
  (await rows<{ relations_version: number }>("select relations_version from users where id = any($1::bigint[]) order by id", [users.map((user) => user.id)])).map((row) => row.relations_version);
const lockBoth = (a: { id: number }, b: { id: number }) => `select id from users where id in (${a.id}, ${b.id}) order by id for no key update`;
const bumpBoth = (a: { id: number }, b: { id: number }) => `update users set relations_version = relations_version + 1 where id in (${a.id}, ${b.id})`;

/** A block of `blocked` by `blocker` in progress, holding both users' rows as a block does (src/store/postgres/relations.ts). */
async function blockInProgress(blocker: { id: number }, blocked: { id: number }) {
  const block = await openTransaction();
  await block.query(lockBoth(blocker, blocked));
  await block.query("insert into blocks (blocker_id, blocked_id, created_at) values ($1, $2, now())", [blocker.id, blocked.id]);
  await block.query(bumpBoth(blocker, blocked));
  return block;
}

describe("a follow racing a block", () => {
  it("refuses a follow that waited for a block being made, and changes nothing", async () => {
    const [me, them] = [await makeUser(), await makeUser()];
    const tally: Tally = { count: 0, ms: 0 };
    const { caller } = await callerOf(me, tally);
    const block = await blockInProgress(them, me);
    const follow = caller.follows.change("follow", them.id, Date.now());
    await untilWaiting();
    expect(await waits(follow)).toBe(true);
    await block.commit();
    expect((await follow).target).toEqual({ username: them.username, blocked: true, changed: false, feedPull: false, followersCount: 0 });
    expect(await rows("select id from follows where follower_id = $1", [me.id])).toEqual([]);
    expect(await rows("select id from notifications where actor_id = $1", [me.id])).toEqual([]);
    expect(await counters(me)).toEqual({ followers_count: 0, following_count: 0 });
    expect(await counters(them)).toEqual({ followers_count: 0, following_count: 0 });
    // The statement found the rows it locked newer than its snapshot and wrote nothing (1), then
    // ran again with the locks taken first (BEGIN, the locks, the work, COMMIT: 4).
    expect(tally.count).toBe(5);
  });

  it("answers a follow request that waited for a block being made 403, and changes nothing", async () => {
    const [me, them] = [await signedInUser(), await signedInUser()];
    const block = await blockInProgress(them, me);
    const follow = call("POST", `/api/auth/follow/${them.id}/`, { token: me.access });
    await untilWaiting();
    expect(await waits(follow)).toBe(true);
    await block.commit();
    const refused = await follow;
    expect(refused.status).toBe(403);
    expect(refused.body).toEqual({ detail: "You do not have permission to perform this action." });
    expect(storageCalls(refused.headers)).toBe(5);
    expect(await rows("select id from follows where follower_id = $1 or followee_id = $1", [me.id])).toEqual([]);
    expect(await rows("select id from notifications where actor_id = $1 or recipient_id = $1", [me.id])).toEqual([]);
    expect(await counters(me)).toEqual({ followers_count: 0, following_count: 0 });
    expect(await counters(them)).toEqual({ followers_count: 0, following_count: 0 });
  });

  it("follows once an unblock it waited for is made (the block it saw in its snapshot is gone)", async () => {
    const [me, them] = [await makeUser(), await makeUser()];
    await newStore().caller(await signIn(them)).relations.change("block", me.id, Date.now());
    const { caller } = await callerOf(me);
    const unblock = await openTransaction();
    await unblock.query(lockBoth(me, them));
    await unblock.query("delete from blocks where blocker_id = $1 and blocked_id = $2", [them.id, me.id]);
    await unblock.query(bumpBoth(me, them));
    const follow = caller.follows.change("follow", them.id, Date.now());
    await untilWaiting();
    expect(await waits(follow)).toBe(true);
    await unblock.commit();
    expect((await follow).target).toEqual({ username: them.username, blocked: false, changed: true, feedPull: false, followersCount: 1 });
    expect(await rows("select count(*)::int as n from follows where follower_id = $1 and followee_id = $2", [me.id, them.id])).toEqual([{ n: 1 }]);
    expect(await rows("select count(*)::int as n from notifications where cause = $1", [`follow:${me.id}:${them.id}`])).toEqual([{ n: 1 }]);
    expect(await counters(me)).toEqual({ followers_count: 0, following_count: 1 });
    expect(await counters(them)).toEqual({ followers_count: 1, following_count: 0 });
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

  it("grows both users' relations_version with every block made or lifted, and not for a repeat or a mute", async () => {
    const [me, them, other] = [await makeUser(), await makeUser(), await makeUser()];
    const { caller } = await callerOf(me);
    expect(await versions(me, them, other)).toEqual([0, 0, 0]);
    const steps: ["block" | "unblock" | "mute" | "unmute", number[]][] = [
      ["block", [1, 1, 0]],
      ["block", [1, 1, 0]],
      ["mute", [1, 1, 0]],
      ["unmute", [1, 1, 0]],
      ["unblock", [2, 2, 0]],
      ["unblock", [2, 2, 0]],
    ];
    for (const [action, expected] of steps) {
      await caller.relations.change(action, them.id, Date.now());
      expect(await versions(me, them, other), action).toEqual(expected);
    }
    // Theirs of me: the same two rows.
    await newStore().caller(await signIn(them)).relations.change("block", me.id, Date.now());
    expect(await versions(me, them, other)).toEqual([3, 3, 0]);
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
