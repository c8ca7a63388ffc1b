/**
 * `npm run bench:capacity`: how the schema and the routes behave at size. Fills a local D1
 * database with CAPACITY_USERS users (default 1,000,000) and about ten follows per user with a
 * realistic skew (five stars with 100k-400k followers, a power-law share of the rest, most users
 * with tens), measures the bytes per user and per follow (indexes included), then times every
 * route on it, and on a database a thousand times smaller filled the same way, with the rows D1
 * reports reading (Server-Timing). Writes bench/CAPACITY.md. Takes several minutes;
 * CAPACITY_REUSE=1 times the routes again on the databases a previous run filled.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import "../scripts/argon2-node";
import { executeSql, literal, prepareTarget } from "../scripts/d1";
import { buildBundle, startLocalWorker } from "../scripts/local-worker.mjs";
import { hashPassword } from "../src/auth/passwords/hashers";
import { feedCosts, feedReport, fillFeed } from "./capacity-feed";
import { BENCH_PASSWORD } from "./seed";

const USERS = Number(process.env.CAPACITY_USERS ?? 1_000_000);
const STARS = [0.4, 0.25, 0.15, 0.1, 0.1]; // followers of users 1..5, as a share of USERS
const SPREAD = 9; // follows per user besides the stars: 3 power-law, 6 uniform
const RUNS = 25;

interface Size {
  users: number;
  follows: number;
  bytes: { empty: number; withUsers: number; withFollows: number };
  seconds: { users: number; follows: number };
}

/** The database's size as D1 reports it (`meta.size_after`: what its 10 GB limit counts), and its follows. */
async function databaseFacts(state: string): Promise<{ bytes: number; follows: number }> {
  const worker = await startLocalWorker({ port: 0, persistRoot: join(state, "v3"), quiet: true, shape: "minimal", vars: { JWT_SECRET: "capacity-signing-secret-0123456789abcdef0" } });
  try {
    const d1 = await worker.miniflare.getD1Database("DB");
    const result = await d1.prepare("SELECT count(*) AS n FROM follows").all<{ n: number }>();
    return { bytes: Number(result.meta.size_after), follows: result.results[0]!.n };
  } finally {
    await worker.stop();
  }
}

function run(sql: string, state: string, what: string) {
  const result = executeSql(sql, { remote: false, persistTo: state });
  if (!result.ok) throw new Error(`${what} failed:\n${result.output}`);
}

/** Fills `state` with `users` users and their follows; returns the sizes measured on the way. */
async function fill(state: string, users: number): Promise<Size> {
  rmSync(state, { recursive: true, force: true });
  prepareTarget({ remote: false, persistTo: state });
  const empty = (await databaseFacts(state)).bytes;
  const hash = literal(hashPassword(BENCH_PASSWORD));
  const now = Date.now();
  let started = performance.now();
  console.log(`  ${users.toLocaleString("en")} users...`);
  run(
    `INSERT INTO users (id, username, email, password, first_name, last_name, bio, date_joined, email_verified, is_staff, is_superuser)
       WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${users})
       SELECT i, 'user' || i, 'user' || i || '@example.com', ${hash}, 'First' || (i % 1000), 'Last' || (i % 777),
              CASE WHEN i % 3 = 0 THEN 'A short bio, about as long as most people write one.' END,
              ${now} - i * 1000, 1, i = ${users}, i = ${users} FROM n;`,
    state,
    "users",
  );
  const usersSeconds = (performance.now() - started) / 1000;
  const withUsers = (await databaseFacts(state)).bytes;
  started = performance.now();
  // The stars: user k is followed by a contiguous block of users (a share of everyone).
  STARS.forEach((share, k) => {
    console.log(`  followers of star ${k + 1}...`);
    run(
      `INSERT INTO follows (follower_id, followee_id, created_at)
         WITH RECURSIVE n(i) AS (SELECT 10 UNION ALL SELECT i + 1 FROM n WHERE i < ${Math.floor(users * share) + 9})
         SELECT i, ${k + 1}, ${now} FROM n WHERE i <= ${users} ORDER BY i;`,
      state,
      `star ${k + 1}`,
    );
  });
  // Everyone else: SPREAD follows each, 3 to a power-law pick (r^3 favours low ids: a long tail of
  // popular users), 6 uniform; duplicates and self-follows skipped. In chunks, for progress.
  const chunk = Math.max(1, Math.ceil(users / 10));
  for (let from = 1; from <= users; from += chunk) {
    const to = Math.min(users, from + chunk - 1);
    console.log(`  follows of users ${from.toLocaleString("en")}-${to.toLocaleString("en")}...`);
    run(
      `INSERT OR IGNORE INTO follows (follower_id, followee_id, created_at)
         SELECT follower, followee, ${now} FROM (
           WITH RECURSIVE n(i) AS (SELECT ${from} UNION ALL SELECT i + 1 FROM n WHERE i < ${to}),
                j(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM j WHERE k < ${SPREAD - 1})
           SELECT i AS follower,
                  CASE WHEN k < 3
                    THEN 1 + CAST(${users} * ((((i * 7919 + k * 104729) % 1000003) / 1000003.0) * (((i * 7919 + k * 104729) % 1000003) / 1000003.0) * (((i * 7919 + k * 104729) % 1000003) / 1000003.0)) AS INTEGER)
                    ELSE 1 + ((i * 2654435761 + k * 40503) % ${users})
                  END AS followee
           FROM n CROSS JOIN j ORDER BY i, k
         ) WHERE follower <> followee AND followee <= ${users};`,
      state,
      `follows ${from}-${to}`,
    );
  }
  console.log("  counters...");
  run(
    `UPDATE users SET followers_count = (SELECT count(*) FROM follows WHERE followee_id = users.id),
                      following_count = (SELECT count(*) FROM follows WHERE follower_id = users.id);`,
    state,
    "counters",
  );
  const followsSeconds = (performance.now() - started) / 1000;
  const { bytes: withFollows, follows } = await databaseFacts(state);
  return { users, follows, bytes: { empty, withUsers, withFollows }, seconds: { users: usersSeconds, follows: followsSeconds } };
}

interface RouteCost {
  ms: number;
  rowsRead: number;
  roundTrips: number;
  status: number;
}

interface Route {
  name: string;
  method?: string;
  path: (users: number) => string;
  as?: "caller" | "admin";
  body?: (users: number) => object;
}

const caller = (users: number) => Math.floor(users / 2);
const routes: Route[] = [
  { name: "profile GET", path: () => "/api/auth/profile/", as: "caller" },
  { name: "user detail", path: () => "/api/users/7/", as: "caller" },
  { name: "followers, page 1 of the biggest star", path: () => "/api/users/1/followers/", as: "caller" },
  { name: "followers, a deep page (cursor) of the biggest star", path: () => "/api/users/1/followers/?cursor=DEEP", as: "caller" },
  { name: "following, page 1", path: (n) => `/api/users/${caller(n)}/following/`, as: "caller" },
  { name: "follow (already following: idempotent)", method: "POST", path: () => "/api/auth/follow/1/", as: "caller" },
  { name: "sessions list", path: () => "/api/auth/sessions/", as: "caller" },
  { name: "login", method: "POST", path: () => "/api/auth/login/", body: (n) => ({ username: `user${caller(n) + 1}`, password: BENCH_PASSWORD }) },
  { name: "password-reset request", method: "POST", path: () => "/api/auth/password/reset/", body: (n) => ({ email: `user${caller(n) + 2}@example.com` }) },
  { name: "admin list, page 1 (with COUNT(*))", path: () => "/api/users/", as: "admin" },
  { name: "admin list, last page (OFFSET)", path: (n) => `/api/users/?page=${Math.ceil(n / 20)}`, as: "admin" },
  { name: "admin list, search matching one user", path: (n) => `/api/users/?search=user${caller(n) + 3}`, as: "admin" },
  { name: "admin PATCH", method: "PATCH", path: (n) => `/api/users/${caller(n) + 4}/`, as: "admin", body: () => ({ is_active: true }) },
];

function timing(headers: Headers) {
  const header = headers.get("Server-Timing") ?? "";
  return {
    roundTrips: Number(/d1;dur=[\d.]+;desc="(\d+)"/.exec(header)?.[1] ?? 0),
    rowsRead: Number(/d1-rows-read;dur=([\d.]+)/.exec(header)?.[1] ?? 0),
  };
}

async function costs(state: string, users: number): Promise<Map<string, RouteCost>> {
  const worker = await startLocalWorker({
    port: 0,
    persistRoot: join(state, "v3"),
    quiet: true,
    shape: "minimal",
    vars: { JWT_SECRET: "capacity-signing-secret-0123456789abcdef0", SERVER_TIMING: "1", ACCESS_TOKEN_LIFETIME: "3600", THROTTLE_LOGIN_USER_ADDRESS: "999999/60", THROTTLE_LOGIN_USER: "999999/60", THROTTLE_LOGIN_ADDRESS: "999999/60", THROTTLE_EMAIL: "999999/60" },
  });
  try {
    const login = async (username: string) => {
      const response = await fetch(`${worker.url}/api/auth/login/`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ username, password: BENCH_PASSWORD }) });
      if (!response.ok) throw new Error(`login ${username}: ${response.status}`);
      return ((await response.json()) as { access: string }).access;
    };
    const tokens = { caller: await login(`user${caller(users)}`), admin: await login(`user${users}`) };
    // A cursor deep in the star's followers: follow `next` links for a few pages, then jump by id.
    const deep = await deepCursor(worker.url, tokens.caller);
    const result = new Map<string, RouteCost>();
    for (const route of routes) {
      const path = route.path(users).replace("DEEP", encodeURIComponent(deep));
      const samples: number[] = [];
      let last: { status: number; roundTrips: number; rowsRead: number } = { status: 0, roundTrips: 0, rowsRead: 0 };
      for (let i = 0; i < RUNS; i++) {
        const headers: Record<string, string> = { "Content-Type": "application/json" };
        if (route.as) headers.Authorization = `Bearer ${tokens[route.as]}`;
        const started = performance.now();
        const response = await fetch(`${worker.url}${path}`, { method: route.method ?? "GET", headers, body: route.body ? JSON.stringify(route.body(users)) : undefined });
        await response.arrayBuffer();
        samples.push(performance.now() - started);
        last = { status: response.status, ...timing(response.headers) };
      }
      if (last.status >= 300) throw new Error(`${route.name}: ${path} answered ${last.status}`);
      const ms = [...samples].sort((a, b) => a - b)[Math.floor(samples.length / 2)]!;
      result.set(route.name, { ms, ...last });
      console.log(`  ${route.name}: ${ms.toFixed(1)} ms, ${last.rowsRead} rows read`);
    }
    return result;
  } finally {
    await worker.stop();
  }
}

/** The `cursor` of the star's followers after following `next` links 20 pages deep. */
async function deepCursor(url: string, token: string): Promise<string> {
  let next = `${url}/api/users/1/followers/`;
  let cursor = "";
  for (let page = 0; page < 20; page++) {
    const response = await fetch(next, { headers: { Authorization: `Bearer ${token}` } });
    const body = (await response.json()) as { next: string | null };
    if (!body.next) break;
    cursor = new URL(body.next).searchParams.get("cursor") ?? cursor;
    next = body.next.replace(/^https?:\/\/[^/]+/, url);
  }
  return cursor;
}

function report(small: Size, large: Size, smallCosts: Map<string, RouteCost>, largeCosts: Map<string, RouteCost>): string {
  const perUser = (large.bytes.withUsers - large.bytes.empty) / large.users;
  const followBytes = large.bytes.withFollows - large.bytes.withUsers;
  const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
  const rows = routes.map((route) => {
    const s = smallCosts.get(route.name)!;
    const l = largeCosts.get(route.name)!;
    return `| ${route.name} | ${s.ms.toFixed(1)} | ${s.rowsRead} | ${l.ms.toFixed(1)} | ${l.rowsRead} | ${(l.ms / s.ms).toFixed(1)} | ${l.roundTrips} |`;
  });
  return `# Capacity

\`npm run bench:capacity\` on ${new Date().toISOString().slice(0, 10)} (local D1 in workerd; sequential requests, median of ${RUNS}).

## Size

| | small | large |
|---|---:|---:|
| users | ${small.users.toLocaleString("en")} | ${large.users.toLocaleString("en")} |
| follows | ${small.follows.toLocaleString("en")} | ${large.follows.toLocaleString("en")} |
| database size (D1's size_after) | ${mib(small.bytes.withFollows)} | ${mib(large.bytes.withFollows)} |
| time to fill users / follows (s) | ${small.seconds.users.toFixed(0)} / ${small.seconds.follows.toFixed(0)} | ${large.seconds.users.toFixed(0)} / ${large.seconds.follows.toFixed(0)} |

Bytes per user (row and its two unique indexes): **${perUser.toFixed(0)}**. Bytes per follow (row and
its three indexes): **${(followBytes / large.follows).toFixed(0)}**. Followers of the stars:
${STARS.map((share) => Math.floor(large.users * share).toLocaleString("en")).join(", ")}; everyone
else follows ${SPREAD} users (3 power-law picks, 6 uniform).

## Cost of each route, small database against large

| route | small ms | small rows read | large ms | large rows read | large / small | D1 round trips |
|---|---:|---:|---:|---:|---:|---:|
${rows.join("\n")}
`;
}

async function main() {
  console.log("Building the bundle...");
  buildBundle();
  const smallState = "bench/.capacity-small";
  const largeState = "bench/.capacity";
  console.log(`Filling the small database (${(USERS / 1000).toLocaleString("en")} users)...`);
  const small = await filled(smallState, USERS / 1000);
  console.log(`Filling the large database (${USERS.toLocaleString("en")} users); this takes minutes...`);
  const large = await filled(largeState, USERS);
  // The feed's data (bench/capacity-feed.ts): posts, fan-out entries, a reader of 1,000 accounts.
  console.log("Adding the feed's data...");
  const feed = { small: await fillFeed(smallState, small.users), large: await fillFeed(largeState, large.users) };
  console.log("Timing the routes on the small database...");
  const smallCosts = await costs(smallState, small.users);
  const smallFeed = await feedCosts(smallState, small.users);
  console.log("Timing the routes on the large database...");
  const largeCosts = await costs(largeState, large.users);
  const largeFeed = await feedCosts(largeState, large.users);
  const text = report(small, large, smallCosts, largeCosts) + feedReport({ size: feed.small, costs: smallFeed }, { size: feed.large, costs: largeFeed });
  writeFileSync("bench/CAPACITY.md", text);
  console.log(`\n${text}`);
}

/** `fill`, or with CAPACITY_REUSE=1 the sizes a previous fill of `state` recorded. */
async function filled(state: string, users: number): Promise<Size> {
  const record = join(state, "size.json");
  if (process.env.CAPACITY_REUSE === "1" && existsSync(record)) {
    const size = JSON.parse(readFileSync(record, "utf8")) as Size;
    if (size.users === users) return size;
  }
  const size = await fill(state, users);
  writeFileSync(record, JSON.stringify(size));
  return size;
}

await main();
