/**
 * An account deletion on PostgreSQL racing the user's own likes, unlikes, comments and comment
 * deletions, in a chosen order (a transaction held open in the middle of each): the posts' counters
 * move by exactly the rows the deletion removed, never twice, never missing one.
 */
import { describe, expect, it } from "vitest";
import { type Made, callerOf, makeUser, openTransaction, rows, waits } from "./store-helpers";

/** A post of `author`, as a row. */
async function postOf(author: Made): Promise<number> {
  const [row] = await rows<{ id: number }>("insert into posts (author_id, title, content, created_at, updated_at) values ($1, 't', 'c', now(), now()) returning id", [author.id]);
  return row!.id;
}

/** A like of `user` on `postId` with its counter, as the like statement leaves them. */
async function liked(user: Made, postId: number): Promise<void> {
  await rows("insert into likes (user_id, post_id, created_at) values ($1, $2, now())", [user.id, postId]);
  await rows("update posts set likes_count = likes_count + 1 where id = $1", [postId]);
}

/** A comment of `user` on `postId` with its counter; its id. */
async function commented(user: Made, postId: number): Promise<number> {
  const [row] = await rows<{ id: number }>(
    "insert into comments (post_id, author_id, content, created_at, updated_at) values ($1, $2, 'c', now(), now()) returning id",
    [postId, user.id],
  );
  await rows("update posts set comments_count = comments_count + 1 where id = $1", [postId]);
  return row!.id;
}

/** The post's counters, and what its rows say they should be. */
async function counters(postId: number) {
  const [held] = await rows("select likes_count, comments_count from posts where id = $1", [postId]);
  const [counted] = await rows<{ likes: number; comments: number }>(
    "select (select count(*) from likes where post_id = $1)::int as likes, (select count(*) from comments where post_id = $1)::int as comments",
    [postId],
  );
  return { held, counted: { likes_count: counted!.likes, comments_count: counted!.comments } };
}

describe("an account deletion racing the user's likes and comments", () => {
  it("counts an unlike in progress once: whichever deletes the like moves the counter", async () => {
    const [victim, author] = [await makeUser(), await makeUser()];
    const post = await postOf(author);
    await liked(victim, post);
    await liked(author, post);
    const { caller } = await callerOf(victim);
    // The unlike's statement has deleted the like and moved the counter, and not yet committed.
    const unlike = await openTransaction();
    await unlike.query("delete from likes where user_id = $1 and post_id = $2", [victim.id, post]);
    await unlike.query("update posts set likes_count = likes_count - 1 where id = $1", [post]);
    const deletion = caller.deleteAccount(Date.now());
    expect(await waits(deletion)).toBe(true);
    await unlike.commit();
    expect((await deletion).deleted).toEqual({ profilePicture: null });
    expect(await counters(post)).toEqual({ held: { likes_count: 1, comments_count: 0 }, counted: { likes_count: 1, comments_count: 0 } });
  });

  it("counts a comment's deletion in progress once", async () => {
    const [victim, author] = [await makeUser(), await makeUser()];
    const post = await postOf(author);
    const first = await commented(victim, post);
    await commented(victim, post);
    await commented(author, post);
    const { caller } = await callerOf(victim);
    const removal = await openTransaction();
    await removal.query("delete from comments where id = $1", [first]);
    await removal.query("update posts set comments_count = comments_count - 1 where id = $1", [post]);
    const deletion = caller.deleteAccount(Date.now());
    expect(await waits(deletion)).toBe(true);
    await removal.commit();
    expect((await deletion).deleted).toEqual({ profilePicture: null });
    expect(await counters(post)).toEqual({ held: { likes_count: 0, comments_count: 1 }, counted: { likes_count: 0, comments_count: 1 } });
  });

  it("waits for a like and a comment in progress, and moves their counters back", async () => {
    const [victim, author] = [await makeUser(), await makeUser()];
    const post = await postOf(author);
    const { caller } = await callerOf(victim);
    // The like's and the comment's foreign-key checks hold the user's row (KEY SHARE) until they commit.
    const acts = await openTransaction();
    await acts.query("insert into likes (user_id, post_id, created_at) values ($1, $2, now())", [victim.id, post]);
    await acts.query("insert into comments (post_id, author_id, content, created_at, updated_at) values ($1, $2, 'c', now(), now())", [post, victim.id]);
    await acts.query("update posts set likes_count = likes_count + 1, comments_count = comments_count + 1 where id = $1", [post]);
    const deletion = caller.deleteAccount(Date.now());
    expect(await waits(deletion)).toBe(true);
    await acts.commit();
    expect((await deletion).deleted).toEqual({ profilePicture: null });
    expect(await counters(post)).toEqual({ held: { likes_count: 0, comments_count: 0 }, counted: { likes_count: 0, comments_count: 0 } });
  });
});
