/**
 * Factories of the feed's tests: posts, follows, mutes and blocks written as rows (the routes that
 * make them belong to other features), the feed's jobs run the way the queue consumer runs them,
 * and the feed read through the Worker's fetch.
 */
import { env } from "cloudflare:workers";
import { expect } from "vitest";
import { storeOf } from "../src/lib/storage";
import type { FeedJob, Store } from "../src/store";
import { openPostgresStore } from "../src/store/postgres";
import { ENGINE, dbRow, dbRows, dbRun } from "./db";
import { call } from "./helpers";

let clock = Date.parse("2026-01-01T00:00:00.000Z");
/** A moment after every earlier one of this file (so created_at orders as ids do). */
const tick = () => new Date((clock += 1000));

export interface PostFixture {
  id: number;
  authorId: number;
  author: string;
  title: string;
  content: string;
  createdAt: Date;
}

/** A post of `author`, as a row; the feed's jobs are not run. */
export async function insertPost(author: { id: number; username: string }, title = `A post by ${author.username}`): Promise<PostFixture> {
  const createdAt = tick();
  const content = `${title}: its content.`;
  const row = await dbRow<{ id: number }>(
    "insert into posts (author_id, title, content, created_at, updated_at) values (?, ?, ?, ?, ?) returning id",
    author.id, title, content, createdAt, createdAt,
  );
  return { id: row!.id, authorId: author.id, author: author.username, title, content, createdAt };
}

/** `post` as the feed shows it (nobody liked or commented on it unless `extra` says so). */
export function postBody(post: PostFixture, extra: { likes_count?: number; comments_count?: number; liked?: boolean } = {}) {
  return {
    id: post.id,
    author: post.author,
    author_id: post.authorId,
    title: post.title,
    content: post.content,
    created_at: post.createdAt.toISOString(),
    updated_at: post.createdAt.toISOString(),
    likes_count: 0,
    comments_count: 0,
    liked: false,
    ...extra,
  };
}

/** A follow as a row (with both counters, and `pull` as the follow service's statement sets it), no job queued. */
export async function followRow(followerId: number, followeeId: number): Promise<void> {
  await dbRun(
    "insert into follows (follower_id, followee_id, created_at, pull) select ?, id, ?, feed_pull from users where id = ?",
    followerId, tick(), followeeId,
  );
  await dbRun("update users set following_count = following_count + 1 where id = ?", followerId);
  await dbRun("update users set followers_count = followers_count + 1 where id = ?", followeeId);
}

/** An unfollow as a row deletion: no purge queued (what the feed shows before the purge runs). */
export async function unfollowRow(followerId: number, followeeId: number): Promise<void> {
  await dbRun("delete from follows where follower_id = ? and followee_id = ?", followerId, followeeId);
  await dbRun("update users set following_count = following_count - 1 where id = ?", followerId);
  await dbRun("update users set followers_count = followers_count - 1 where id = ?", followeeId);
}

export const muteRow = (muterId: number, mutedId: number) =>
  dbRun("insert into mutes (muter_id, muted_id, created_at) values (?, ?, ?)", muterId, mutedId, tick());
export const unmuteRow = (muterId: number, mutedId: number) => dbRun("delete from mutes where muter_id = ? and muted_id = ?", muterId, mutedId);
export const blockRow = (blockerId: number, blockedId: number) =>
  dbRun("insert into blocks (blocker_id, blocked_id, created_at) values (?, ?, ?)", blockerId, blockedId, tick());
export const unblockRow = (blockerId: number, blockedId: number) => dbRun("delete from blocks where blocker_id = ? and blocked_id = ?", blockerId, blockedId);

/** The post ids in `ownerId`'s fan-out entries, in id order. */
export async function entriesOf(ownerId: number): Promise<number[]> {
  const rows = await dbRows<{ post_id: number }>("select post_id from feed_entries where owner_id = ? order by post_id", ownerId);
  return rows.map((row) => row.post_id);
}

/** Runs `work` on the store the queue consumer uses (src/lib/storage.ts `storeOf`), closed after it on PostgreSQL. */
export async function withWorkStore<T>(work: (store: Store) => Promise<T>): Promise<T> {
  if (ENGINE === "d1") return work(storeOf(env));
  const { store, close } = openPostgresStore(env.HYPERDRIVE!.connectionString);
  try {
    return await work(store);
  } finally {
    await close();
  }
}

/** Runs `job` chunk after chunk, as the consumer does, to its end; answers every job run (the first, then each continuation). */
export function drain(job: FeedJob, chunk = 1000): Promise<FeedJob[]> {
  return withWorkStore(async (store) => {
    const ran: FeedJob[] = [];
    for (let next: FeedJob | undefined = job; next; ) {
      ran.push(next);
      expect(ran.length, "a job that never ends").toBeLessThan(1000);
      next = (await store.feedWork.run(next, chunk, Date.now())).next;
    }
    return ran;
  });
}

/** Fans out each post (as the queue would after its creation). */
export async function fanOut(...posts: { id: number }[]): Promise<void> {
  for (const post of posts) await drain({ kind: "fan_out", postId: post.id });
}

/** Makes `author` a pull author as the queue's promotion does. */
export const promote = (authorId: number) => drain({ kind: "promote", authorId });

/** GET /api/feed/ (a path with its query, or a next/previous link) as `token`. */
export const feed = (token: string, path = "/api/feed/") => call("GET", path.replace(/^https?:\/\/[^/]+/, ""), { token });

/** The ids of one feed page. */
export async function feedIds(token: string, path?: string): Promise<number[]> {
  const page = await feed(token, path);
  expect(page.status, JSON.stringify(page.body)).toBe(200);
  return (page.body.results as { id: number }[]).map((post) => post.id);
}

/** Every id of the feed, following `next` links from the first page (`pageSize` a page). */
export async function wholeFeed(token: string, pageSize: number): Promise<number[]> {
  const ids: number[] = [];
  for (let path: string | null = `/api/feed/?page_size=${pageSize}`; path; ) {
    const page = await feed(token, path);
    expect(page.status).toBe(200);
    ids.push(...(page.body.results as { id: number }[]).map((post) => post.id));
    path = page.body.next;
  }
  return ids;
}

/** Newest first. */
export const newestFirst = (posts: { id: number }[]) => posts.map((post) => post.id).sort((a, b) => b - a);
