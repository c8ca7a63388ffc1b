/** The feed's queue jobs as the consumer runs them (FeedWorkStore.run): bounded chunks, their continuations, idempotence, races. */
import { describe, expect, it } from "vitest";
import { dbRow, dbRows, dbRun } from "./db";
import {
  blockRow, drain, entriesOf, fanOut, feedIds, followRow, insertPost, muteRow, newestFirst, promote, unblockRow, unfollowRow,
  unmuteRow, withWorkStore,
} from "./feed-fixtures";
import { call, signedInUser } from "./helpers";

/** `count` users following `author` (as rows), and the ids of those follows in order. */
async function followers(author: { id: number }, count: number) {
  const users = await Promise.all(Array.from({ length: count }, () => signedInUser()));
  for (const user of users) await followRow(user.id, author.id);
  const rows = await dbRows<{ id: number }>("select id from follows where followee_id = ? order by id", author.id);
  return { users, follows: rows.map((row) => row.id) };
}

/** Owners holding an entry of `postId`, in id order. */
async function ownersOf(postId: number): Promise<number[]> {
  return (await dbRows<{ owner_id: number }>("select owner_id from feed_entries where post_id = ? order by owner_id", postId)).map((row) => row.owner_id);
}

const ids = (users: { id: number }[]) => users.map((user) => user.id).sort((a, b) => a - b);

describe("fan_out", () => {
  it("reaches every follower, FEED_CHUNK follows a run in follow order, each run answering its continuation; not a follower who mutes the author", async () => {
    const author = await signedInUser();
    const { users, follows } = await followers(author, 5);
    await muteRow(users[2]!.id, author.id);
    const post = await insertPost(author);
    const runs = await drain({ kind: "fan_out", postId: post.id }, 2);
    expect(runs).toEqual([
      { kind: "fan_out", postId: post.id },
      { kind: "fan_out", postId: post.id, after: follows[1] },
      { kind: "fan_out", postId: post.id, after: follows[3] },
    ]);
    expect(await ownersOf(post.id)).toEqual(ids(users.filter((_, i) => i !== 2)));
    expect(await entriesOf(author.id)).toEqual([]);
  });

  it("is idempotent: a chunk or the whole job run again changes nothing", async () => {
    const author = await signedInUser();
    const { users, follows } = await followers(author, 4);
    const post = await insertPost(author);
    await drain({ kind: "fan_out", postId: post.id }, 3);
    await drain({ kind: "fan_out", postId: post.id, after: follows[0] }, 3);
    await drain({ kind: "fan_out", postId: post.id }, 3);
    expect(await ownersOf(post.id)).toEqual(ids(users));
    expect(await dbRow("select count(*) as n from feed_entries where post_id = ?", post.id)).toEqual({ n: 4 });
  });

  it("reaches a follow made during the fan-out (a later chunk), and not one ended before its chunk", async () => {
    const author = await signedInUser();
    const { users } = await followers(author, 4);
    const post = await insertPost(author);
    const first = await withWorkStore((store) => store.feedWork.run({ kind: "fan_out", postId: post.id }, 2, Date.now()));
    const late = await signedInUser();
    await followRow(late.id, author.id);
    await unfollowRow(users[3]!.id, author.id);
    await drain(first.next!, 2);
    expect(await ownersOf(post.id)).toEqual(ids([users[0]!, users[1]!, users[2]!, late]));
  });

  it("does nothing for a post since deleted, or a pull author's post", async () => {
    const [author, star] = await Promise.all([signedInUser(), signedInUser()]);
    await followers(author, 2);
    await followers(star, 2);
    const deleted = await insertPost(author);
    await dbRun("delete from posts where id = ?", deleted.id);
    expect(await drain({ kind: "fan_out", postId: deleted.id }, 1)).toHaveLength(1);
    await promote(star.id);
    const pulled = await insertPost(star);
    expect(await drain({ kind: "fan_out", postId: pulled.id }, 1)).toHaveLength(1);
    expect(await ownersOf(pulled.id)).toEqual([]);
  });
});

describe("promote", () => {
  it("marks the author first, then their follows FEED_CHUNK at a time; a follow made meanwhile (through the API) is pull", async () => {
    const author = await signedInUser();
    const { follows } = await followers(author, 5);
    const first = await withWorkStore((store) => store.feedWork.run({ kind: "promote", authorId: author.id }, 2, Date.now()));
    expect(first).toEqual({ next: { kind: "promote", authorId: author.id, after: 0 } });
    expect(await dbRow("select feed_pull from users where id = ?", author.id)).toEqual({ feed_pull: 1 });
    expect(await dbRow("select count(*) as n from follows where followee_id = ? and pull", author.id)).toEqual({ n: 0 });

    const newcomer = await signedInUser();
    expect((await call("POST", `/api/auth/follow/${author.id}/`, { token: newcomer.access })).status).toBe(200);
    expect(await dbRow("select pull from follows where follower_id = ? and followee_id = ?", newcomer.id, author.id)).toEqual({ pull: 1 });

    const runs = await drain(first.next!, 2);
    const all = [...follows, (await dbRow<{ id: number }>("select id from follows where follower_id = ?", newcomer.id))!.id];
    expect(runs).toEqual([
      { kind: "promote", authorId: author.id, after: 0 },
      { kind: "promote", authorId: author.id, after: all[1] },
      { kind: "promote", authorId: author.id, after: all[3] },
      { kind: "promote", authorId: author.id, after: all[5] },
    ]);
    expect(await dbRow("select count(*) as n from follows where followee_id = ? and not pull", author.id)).toEqual({ n: 0 });
    // Again: nothing changes.
    expect(await promote(author.id)).toHaveLength(2);
    expect(await dbRow("select count(*) as n from follows where followee_id = ? and pull", author.id)).toEqual({ n: 6 });
  });

  it("ends at once for a user who no longer exists", async () => {
    expect(await drain({ kind: "promote", authorId: 999_999 })).toEqual([{ kind: "promote", authorId: 999_999 }]);
  });
});

describe("backfill", () => {
  it("copies the author's posts into the owner's feed, newest first, FEED_CHUNK a run; idempotent", async () => {
    const [owner, author] = await Promise.all([signedInUser(), signedInUser()]);
    const posts = [];
    for (let i = 0; i < 5; i++) posts.push(await insertPost(author));
    await followRow(owner.id, author.id);
    const job = { kind: "backfill", ownerId: owner.id, authorId: author.id } as const;
    expect(await drain(job, 2)).toEqual([job, { ...job, after: posts[3]!.id }, { ...job, after: posts[1]!.id }]);
    expect(await entriesOf(owner.id)).toEqual(posts.map((post) => post.id));
    await drain(job, 2);
    expect(await entriesOf(owner.id)).toEqual(posts.map((post) => post.id));
    expect(await feedIds(owner.access)).toEqual(newestFirst(posts));
  });

  it("copies nothing once the owner no longer follows the author, while they mute them, or for a pull author", async () => {
    const [owner, author, star] = await Promise.all([signedInUser(), signedInUser(), signedInUser()]);
    await insertPost(author);
    await insertPost(star);
    const job = { kind: "backfill", ownerId: owner.id, authorId: author.id } as const;
    expect(await drain(job)).toEqual([job]);
    await followRow(owner.id, author.id);
    await muteRow(owner.id, author.id);
    expect(await drain(job)).toEqual([job]);
    await promote(star.id);
    await followRow(owner.id, star.id);
    await drain({ kind: "backfill", ownerId: owner.id, authorId: star.id });
    expect(await entriesOf(owner.id)).toEqual([]);
    // A chunk past which the follow ends copies nothing more.
    await unmuteRow(owner.id, author.id);
    const more = [await insertPost(author), await insertPost(author), await insertPost(author)];
    const first = await withWorkStore((store) => store.feedWork.run(job, 2, Date.now()));
    await unfollowRow(owner.id, author.id);
    expect(await drain(first.next!, 2)).toHaveLength(1);
    expect(await entriesOf(owner.id)).toEqual([more[1]!.id, more[2]!.id]);
  });
});

describe("purge", () => {
  async function fed() {
    const [owner, author, other] = await Promise.all([signedInUser(), signedInUser(), signedInUser()]);
    await followRow(owner.id, author.id);
    await followRow(owner.id, other.id);
    const posts = [];
    for (let i = 0; i < 5; i++) posts.push(await insertPost(author));
    const others = await insertPost(other);
    await fanOut(...posts, others);
    return { owner, author, other, posts, others, job: { kind: "purge", ownerId: owner.id, authorId: author.id } as const };
  }

  it("removes the author's entries from the owner's feed, FEED_CHUNK a run, once the owner no longer follows them; others' stay", async () => {
    const { owner, author, others, job } = await fed();
    await unfollowRow(owner.id, author.id);
    expect(await drain(job, 2)).toEqual([job, job, job]);
    expect(await entriesOf(owner.id)).toEqual([others.id]);
    expect(await drain(job, 2)).toEqual([job]);
  });

  it("removes nothing while the owner follows the author: a stale purge after a re-follow and its backfill changes nothing", async () => {
    const { owner, author, posts, others, job } = await fed();
    await unfollowRow(owner.id, author.id);
    await followRow(owner.id, author.id);
    // Whichever runs first, the backfill or the purge queued by the unfollow, the feed ends whole.
    await drain(job, 2);
    expect(await entriesOf(owner.id)).toEqual([...posts.map((post) => post.id), others.id]);
    await unfollowRow(owner.id, author.id);
    await drain(job, 2);
    await followRow(owner.id, author.id);
    await drain({ kind: "backfill", ownerId: owner.id, authorId: author.id }, 2);
    await drain(job, 2);
    expect(await entriesOf(owner.id)).toEqual([...posts.map((post) => post.id), others.id]);
    expect(await feedIds(owner.access)).toEqual(newestFirst([...posts, others]));
  });

  it("removes the entries of a muted author, and of one who blocks the owner or whom the owner blocks, though the follow stands", async () => {
    for (const hide of ["mute", "block", "blocked by"] as const) {
      const { owner, author, posts, others, job } = await fed();
      if (hide === "mute") await muteRow(owner.id, author.id);
      if (hide === "block") await blockRow(owner.id, author.id);
      if (hide === "blocked by") await blockRow(author.id, owner.id);
      await drain(job, 3);
      expect(await entriesOf(owner.id), hide).toEqual([others.id]);
      // When it ends, a backfill (what unmuting queues) brings them back.
      await unmuteRow(owner.id, author.id);
      await unblockRow(owner.id, author.id);
      await unblockRow(author.id, owner.id);
      await drain({ kind: "backfill", ownerId: owner.id, authorId: author.id }, 3);
      expect(await feedIds(owner.access), hide).toEqual(newestFirst([...posts, others]));
    }
  });
});
