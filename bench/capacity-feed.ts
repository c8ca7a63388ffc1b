/**
 * The feed's part of `npm run bench:capacity` (called from ./capacity.ts, on the databases it
 * filled): adds two authors followed by every user, a reader following 1,000 accounts (7 of them
 * pull authors: the five stars and those two), 1,000,000 posts (one in 20 by the reader's pushed
 * followees, one in 200 by the pull authors, the rest by anyone) and their fan-out entries (every
 * post of a pushed author in each of its author's followers' feeds, as the queue would have
 * written them); then times a feed page against a follower page (Server-Timing: D1's rows read),
 * and a fan-out through the local queue and its consumer: the largest below FEED_PULL_THRESHOLD,
 * and one to every user (what the pull authors are spared). The small database (1,000 users) gets
 * the same shape a thousand times smaller. CAPACITY_REUSE=1 reuses what a previous run added.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { executeSql } from "../scripts/d1";
import { startLocalWorker } from "../scripts/local-worker.mjs";
import type { FeedJob } from "../src/store";
import { BENCH_PASSWORD } from "./seed";

/** FEED_PULL_THRESHOLD's default: the largest fan-out has one follower fewer. */
const THRESHOLD = 10_000;
const RUNS = 25;
const SECRET = "capacity-signing-secret-0123456789abcdef0";

/** Who is who in a database of `users` users (ids from 1). */
export function feedCast(users: number) {
  const follows = Math.min(1000, users / 10);
  const pull = [1, 2, 3, 4, 5, users - 1, users - 2];
  const pushed = follows - pull.length;
  const step = Math.floor((users - 10) / follows);
  return {
    /** Followed by every other user. */
    everyone: [users - 1, users - 2],
    pull,
    reader: Math.floor(users / 2) + 10,
    follows,
    /** The reader's pushed followees: 6 + k * step. */
    pushed: { count: pushed, first: 6, step },
    /** An author with THRESHOLD - 1 followers (fewer in a small database): the largest fan-out. */
    fanOutAuthor: Math.floor(users / 2) + 20,
    fanOutFollowers: Math.min(THRESHOLD - 1, users - 20),
    posts: users,
  };
}

export interface FeedSize {
  users: number;
  posts: number;
  entries: number;
  bytes: { before: number; withPosts: number; withEntries: number };
  seconds: { follows: number; posts: number; entries: number };
}

function run(sql: string, state: string, what: string) {
  const result = executeSql(sql, { remote: false, persistTo: state });
  if (!result.ok) throw new Error(`${what} failed:\n${result.output}`);
}

async function facts(state: string): Promise<{ bytes: number; entries: number; posts: number }> {
  const worker = await startLocalWorker({ port: 0, persistRoot: join(state, "v3"), quiet: true, shape: "minimal", vars: { JWT_SECRET: SECRET } });
  try {
    const d1 = await worker.miniflare.getD1Database("DB");
    const result = await d1.prepare("SELECT (SELECT count(*) FROM feed_entries) AS entries, (SELECT count(*) FROM posts) AS posts").all<{ entries: number; posts: number }>();
    return { bytes: Number(result.meta.size_after), ...result.results[0]! };
  } finally {
    await worker.stop();
  }
}

const seconds = (since: number) => (performance.now() - since) / 1000;

/** Adds the feed's data to a database `capacity.ts` filled; answers its sizes (recorded in feed.json for CAPACITY_REUSE). */
export async function fillFeed(state: string, users: number): Promise<FeedSize> {
  const record = join(state, "feed.json");
  if (process.env.CAPACITY_REUSE === "1" && existsSync(record)) {
    const size = JSON.parse(readFileSync(record, "utf8")) as FeedSize;
    if (size.users === users) return size;
  }
  const cast = feedCast(users);
  const now = Date.now();
  let started = performance.now();
  console.log("  feed: follows of everyone to two authors, the reader's 1,000, the largest fan-out's followers...");
  run(
    `INSERT OR IGNORE INTO follows (follower_id, followee_id, created_at)
       WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${users})
       SELECT i, star, ${now} FROM n CROSS JOIN (SELECT ${cast.everyone[0]} AS star UNION ALL SELECT ${cast.everyone[1]}) WHERE i <> star ORDER BY i;
     INSERT OR IGNORE INTO follows (follower_id, followee_id, created_at)
       WITH RECURSIVE k(j) AS (SELECT 0 UNION ALL SELECT j + 1 FROM k WHERE j < ${cast.pushed.count - 1})
       SELECT ${cast.reader}, ${cast.pushed.first} + j * ${cast.pushed.step}, ${now} FROM k WHERE ${cast.pushed.first} + j * ${cast.pushed.step} <> ${cast.reader}
       UNION ALL SELECT ${cast.reader}, value, ${now} FROM json_each('${JSON.stringify(cast.pull)}');
     INSERT OR IGNORE INTO follows (follower_id, followee_id, created_at)
       WITH RECURSIVE n(i) AS (SELECT 10 UNION ALL SELECT i + 1 FROM n WHERE i < ${Math.min(users, 10 + cast.fanOutFollowers * 2)})
       SELECT i, ${cast.fanOutAuthor}, ${now} FROM n WHERE i <> ${cast.fanOutAuthor};
     DELETE FROM follows WHERE followee_id = ${cast.fanOutAuthor} AND id NOT IN (
       SELECT id FROM follows WHERE followee_id = ${cast.fanOutAuthor} ORDER BY id LIMIT ${cast.fanOutFollowers});
     UPDATE users SET followers_count = (SELECT count(*) FROM follows WHERE followee_id = users.id),
                      following_count = (SELECT count(*) FROM follows WHERE follower_id = users.id);
     UPDATE users SET feed_pull = 1 WHERE id IN (${cast.pull.join(", ")});
     UPDATE follows SET pull = 1 WHERE followee_id IN (${cast.pull.join(", ")});`,
    state,
    "feed follows",
  );
  const followsSeconds = seconds(started);
  const before = (await facts(state)).bytes;
  started = performance.now();
  console.log(`  feed: ${cast.posts.toLocaleString("en")} posts...`);
  const pullCase = cast.pull.map((id, k) => `WHEN ${k} THEN ${id}`).join(" ");
  run(
    `INSERT INTO posts (id, author_id, title, content, created_at, updated_at, likes_count, comments_count)
       WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${cast.posts})
       SELECT i,
              CASE WHEN i % 20 = 0 THEN ${cast.pushed.first} + ((i / 20) % ${cast.pushed.count}) * ${cast.pushed.step}
                   WHEN i % 200 = 10 THEN CASE (i / 200) % ${cast.pull.length} ${pullCase} END
                   ELSE 1 + ((i * 2654435761) % ${users}) END,
              'Post number ' || i,
              'The text of post ' || i || ': a sentence or two, about as long as most status updates are.',
              ${now - cast.posts * 1000} + i * 1000, ${now - cast.posts * 1000} + i * 1000, i % 7, i % 3
       FROM n;`,
    state,
    "posts",
  );
  const postsSeconds = seconds(started);
  const withPosts = (await facts(state)).bytes;
  started = performance.now();
  console.log("  feed: fan-out entries (every pushed author's posts into their followers' feeds)...");
  run(
    `INSERT INTO feed_entries (owner_id, post_id, author_id)
       SELECT f.follower_id, p.id, p.author_id FROM posts p JOIN users a ON a.id = p.author_id JOIN follows f ON f.followee_id = p.author_id
       WHERE NOT a.feed_pull ORDER BY f.follower_id, p.id;`,
    state,
    "feed entries",
  );
  const entriesSeconds = seconds(started);
  const after = await facts(state);
  const size: FeedSize = {
    users,
    posts: after.posts,
    entries: after.entries,
    bytes: { before, withPosts, withEntries: after.bytes },
    seconds: { follows: followsSeconds, posts: postsSeconds, entries: entriesSeconds },
  };
  writeFileSync(record, JSON.stringify(size));
  return size;
}

interface Cost {
  ms: number;
  rowsRead: number;
  roundTrips: number;
}

export interface FanOut {
  followers: number;
  chunks: number;
  /** From the send to the last follower's entry, through the local queue and its consumer. */
  seconds: number;
  /** Deleting the post (its entries go by cascade). */
  deleteSeconds: number;
}

export interface FeedCosts {
  routes: Map<string, Cost>;
  fanOuts: { below: FanOut; everyone: FanOut };
}

const routeNames = {
  followers: "followers page of the biggest star (for comparison)",
  following: "the reader's following page (1,000 accounts)",
  first: "feed, page 1 (20 posts)",
  deep: "feed, 50 pages down (or its last page)",
  hundred: "feed, page 1 of 100 posts",
};

function timing(headers: Headers) {
  const header = headers.get("Server-Timing") ?? "";
  return {
    roundTrips: Number(/d1;dur=[\d.]+;desc="(\d+)"/.exec(header)?.[1] ?? 0),
    rowsRead: Number(/d1-rows-read;dur=([\d.]+)/.exec(header)?.[1] ?? 0),
  };
}

/** Times the feed's routes and two fan-outs on `state` (filled by `fillFeed`). */
export async function feedCosts(state: string, users: number): Promise<FeedCosts> {
  const cast = feedCast(users);
  const worker = await startLocalWorker({
    port: 0,
    persistRoot: join(state, "v3"),
    quiet: true,
    shape: "minimal",
    vars: { JWT_SECRET: SECRET, SERVER_TIMING: "1", ACCESS_TOKEN_LIFETIME: "3600", THROTTLE_LOGIN_USER_ADDRESS: "999999/60", THROTTLE_LOGIN_USER: "999999/60", THROTTLE_LOGIN_ADDRESS: "999999/60", FEED_PULL_THRESHOLD: String(THRESHOLD) },
  });
  try {
    const login = await fetch(`${worker.url}/api/auth/login/`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ username: `user${cast.reader}`, password: BENCH_PASSWORD }) });
    if (!login.ok) throw new Error(`login of the reader: ${login.status}`);
    const token = ((await login.json()) as { access: string }).access;
    const get = (path: string) => fetch(`${worker.url}${path}`, { headers: { Authorization: `Bearer ${token}` } });
    let deep = "/api/feed/";
    for (let page = 0; page < 50; page++) {
      const body = (await (await get(deep)).json()) as { next: string | null };
      if (!body.next) break;
      deep = body.next.replace(/^https?:\/\/[^/]+/, "");
    }
    const paths: Record<keyof typeof routeNames, string> = {
      followers: "/api/users/1/followers/",
      following: `/api/users/${cast.reader}/following/`,
      first: "/api/feed/",
      deep,
      hundred: "/api/feed/?page_size=100",
    };
    const routes = new Map<string, Cost>();
    for (const [key, name] of Object.entries(routeNames) as [keyof typeof routeNames, string][]) {
      const samples: number[] = [];
      let last = { status: 0, roundTrips: 0, rowsRead: 0 };
      for (let i = 0; i < RUNS; i++) {
        const started = performance.now();
        const response = await get(paths[key]);
        await response.arrayBuffer();
        samples.push(performance.now() - started);
        last = { status: response.status, ...timing(response.headers) };
      }
      if (last.status !== 200) throw new Error(`${name}: ${paths[key]} answered ${last.status}`);
      const ms = [...samples].sort((a, b) => a - b)[Math.floor(samples.length / 2)]!;
      routes.set(name, { ms, rowsRead: last.rowsRead, roundTrips: last.roundTrips });
      console.log(`  ${name}: ${ms.toFixed(1)} ms, ${last.rowsRead} rows read`);
    }
    const below = await timedFanOut(worker, cast.fanOutAuthor);
    console.log(`  fan-out to ${below.followers.toLocaleString("en")} followers: ${below.seconds.toFixed(1)} s`);
    const everyone = await timedFanOut(worker, cast.everyone[0]!, true);
    console.log(`  fan-out to ${everyone.followers.toLocaleString("en")} followers: ${everyone.seconds.toFixed(1)} s`);
    return { routes, fanOuts: { below, everyone } };
  } finally {
    await worker.stop();
  }
}

/**
 * A new post of `authorId` fanned out through the local queue (the consumer's chunks, FEED_CHUNK
 * 1,000 rows each, 20 a message): the time from the send to the last follower's entry. `forced`:
 * a pull author made a pushed one for the measurement (and back after it).
 */
async function timedFanOut(worker: Awaited<ReturnType<typeof startLocalWorker>>, authorId: number, forced = false): Promise<FanOut> {
  const d1 = await worker.miniflare.getD1Database("DB");
  const queue = await worker.miniflare.getQueueProducer<FeedJob>("FEED_QUEUE");
  const { followers, last } = (await d1
    .prepare("SELECT count(*) AS followers, (SELECT follower_id FROM follows WHERE followee_id = ?1 ORDER BY id DESC LIMIT 1) AS last FROM follows WHERE followee_id = ?1")
    .bind(authorId)
    .first<{ followers: number; last: number }>())!;
  if (forced) await d1.prepare("UPDATE users SET feed_pull = 0 WHERE id = ?").bind(authorId).run();
  try {
    const now = Date.now();
    const post = (await d1
      .prepare("INSERT INTO posts (author_id, title, content, created_at, updated_at) VALUES (?, 'A fanned-out post', 'Measured.', ?, ?) RETURNING id")
      .bind(authorId, now, now)
      .first<{ id: number }>())!;
    const started = performance.now();
    await queue.send({ kind: "fan_out", postId: post.id });
    const reached = d1.prepare("SELECT 1 AS one FROM feed_entries WHERE owner_id = ? AND post_id = ?").bind(last, post.id);
    const deadline = started + 30 * 60_000;
    while (!(await reached.first())) {
      if (performance.now() > deadline) throw new Error(`fan-out of post ${post.id} unfinished after 30 minutes`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const fanned = seconds(started);
    const deleting = performance.now();
    await d1.prepare("DELETE FROM posts WHERE id = ?").bind(post.id).run();
    return { followers, chunks: Math.ceil(followers / 1000), seconds: fanned, deleteSeconds: seconds(deleting) };
  } finally {
    if (forced) await d1.prepare("UPDATE users SET feed_pull = 1 WHERE id = ?").bind(authorId).run();
  }
}

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
const ratio = (a: number, b: number) => (b === 0 ? "-" : (a / b).toFixed(1));

/** The report's section on the feed. */
export function feedReport(small: { size: FeedSize; costs: FeedCosts }, large: { size: FeedSize; costs: FeedCosts }): string {
  const cast = feedCast(large.size.users);
  const rows = Object.values(routeNames).map((name) => {
    const s = small.costs.routes.get(name)!;
    const l = large.costs.routes.get(name)!;
    return `| ${name} | ${s.ms.toFixed(1)} | ${s.rowsRead} | ${l.ms.toFixed(1)} | ${l.rowsRead} | ${ratio(l.ms, s.ms)} | ${l.roundTrips} |`;
  });
  const against = (costs: FeedCosts) => {
    const base = costs.routes.get(routeNames.followers)!;
    const page = costs.routes.get(routeNames.first)!;
    const deep = costs.routes.get(routeNames.deep)!;
    return `${ratio(page.ms, base.ms)}x the time and ${ratio(page.rowsRead, base.rowsRead)}x the rows read (50 pages down: ${ratio(deep.ms, base.ms)}x, ${ratio(deep.rowsRead, base.rowsRead)}x)`;
  };
  const postBytes = (large.size.bytes.withPosts - large.size.bytes.before) / large.size.posts;
  const entryBytes = (large.size.bytes.withEntries - large.size.bytes.withPosts) / large.size.entries;
  const fan = (f: FanOut) =>
    `| ${f.followers.toLocaleString("en")} | ${f.chunks.toLocaleString("en")} | ${f.seconds.toFixed(1)} | ${((f.seconds * 1000) / f.chunks).toFixed(0)} | ${f.deleteSeconds.toFixed(1)} |`;
  return `
## The feed

Added to each database: two authors followed by every user, a reader following ${cast.follows.toLocaleString("en")} accounts on the large
one (${feedCast(small.size.users).follows} on the small one), ${cast.pull.length} of them pull authors (the five stars and those two, whose posts a page reads from
their own index),
${large.size.posts.toLocaleString("en")} posts (one in 20 by the reader's pushed followees, one in 200 by the pull authors, the
rest by anyone) and their fan-out entries, as the queue would have written them: ${large.size.entries.toLocaleString("en")} on the
large database (${small.size.entries.toLocaleString("en")} on the small one). Filling took ${large.size.seconds.follows.toFixed(0)} s
(follows, counters, pull marks), ${large.size.seconds.posts.toFixed(0)} s (posts) and ${large.size.seconds.entries.toFixed(0)} s (entries);
the database is then ${mib(large.size.bytes.withEntries)}.

Bytes per post (row and its index; short texts): **${postBytes.toFixed(0)}**. Bytes per fan-out entry (row and its
three indexes): **${entryBytes.toFixed(0)}**.

| route | small ms | small rows read | large ms | large rows read | large / small | D1 round trips |
|---|---:|---:|---:|---:|---:|---:|
${rows.join("\n")}

A feed page against a follower page: small ${against(small.costs)}; large ${against(large.costs)}.

Fan-out of a new post through the local queue and its consumer (FEED_CHUNK 1,000 rows a chunk, 20 chunks a
message, max_batch_timeout 1 s), from the send to the last follower's entry; then the post's deletion (its
entries go by cascade):

| followers | chunks | seconds | ms a chunk | delete (s) |
|---:|---:|---:|---:|---:|
${fan(large.costs.fanOuts.below)}
${fan(large.costs.fanOuts.everyone)}

The first row is the largest fan-out there is (an author with FEED_PULL_THRESHOLD ${THRESHOLD.toLocaleString("en")} followers is
promoted to pull). The second is what a pull author is spared: an author followed by every user, fanned out
for the measurement only.
`;
}
