/**
 * `npm run bench:capacity`: how the schema and the routes behave at size, on each engine
 * (`-- --engine d1|postgres|both`, or BENCH_ENGINE; default both). Fills a database with
 * CAPACITY_USERS users (default 1,000,000) and about ten follows per user with a realistic skew
 * (five stars with 100k-400k followers, a power-law share of the rest, most users with tens),
 * measures the bytes per user and per follow (indexes included), then times every route on it,
 * and on a database a thousand times smaller filled the same way: with the rows D1 reports
 * reading, or on PostgreSQL the shared buffers its plans touch (Server-Timing gives round trips or
 * statements). Writes bench/CAPACITY.md. D1 is local D1 in workerd (CAPACITY_REUSE=1 times the
 * routes again on the D1 databases a previous run filled); PostgreSQL is a throw-away local
 * server reached through Miniflare's local Hyperdrive, filled anew every run.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import "../scripts/argon2-node";
import { buildBundle, startLocalWorker } from "../scripts/local-worker.mjs";
import { hashPassword } from "../src/auth/passwords/hashers";
import { feedCosts, feedReport, fillFeed } from "./capacity-feed";
import { fillD1 } from "./capacity-d1";
import { type ExplainLog, fillPostgres, startExplainablePostgres } from "./capacity-postgres";
import { SPREAD, STARS, type Size } from "./capacity-shape";
import { ENGINE_NAMES, type Engine, enginesToRun } from "./engines";
import { BENCH_PASSWORD } from "./seed";

const USERS = Number(process.env.CAPACITY_USERS ?? 1_000_000);
const RUNS = 25;
/** The PostgreSQL runs' KV and R2 (revocations), one folder per database; D1's live in its own state folders. */
const POSTGRES_STATE = "bench/.capacity-postgres-state";
/** Requests per route with the plans logged (PostgreSQL's buffers). */
const EXPLAINED = 3;

interface RouteCost {
  ms: number;
  /** Rows D1 reports reading, or PostgreSQL's shared buffers (hit + read) per request. */
  reads: number;
  statements: number;
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

const VARS = {
  JWT_SECRET: "capacity-signing-secret-0123456789abcdef0",
  SERVER_TIMING: "1",
  ACCESS_TOKEN_LIFETIME: "3600",
  THROTTLE_LOGIN_USER_ADDRESS: "999999/60",
  THROTTLE_LOGIN_USER: "999999/60",
  THROTTLE_LOGIN_ADDRESS: "999999/60",
  THROTTLE_EMAIL: "999999/60",
};

function timing(headers: Headers, engine: Engine) {
  const header = headers.get("Server-Timing") ?? "";
  return {
    statements: Number(new RegExp(`${engine === "d1" ? "d1" : "pg"};dur=[\\d.]+;desc="(\\d+)"`).exec(header)?.[1] ?? 0),
    reads: Number(/d1-rows-read;dur=([\d.]+)/.exec(header)?.[1] ?? 0),
  };
}

/** Where a database is and how to serve the bundle on it. */
interface Filled {
  engine: Engine;
  size: Size;
  /** The D1 state folder, or the PostgreSQL URL. */
  state: string;
  /** PostgreSQL: the buffers of the plans of a route's statements. */
  explain?: ExplainLog;
}

/** A worker serving a filled database, ready to time routes on it. */
async function openDatabase(database: Filled) {
  const { engine, size, state } = database;
  const users = size.users;
  const worker = await startLocalWorker({
    port: 0,
    persistRoot: engine === "d1" ? join(state, "v3") : join(POSTGRES_STATE, state.slice(state.lastIndexOf("/") + 1), "v3"),
    quiet: true,
    shape: "minimal",
    vars: VARS,
    hyperdrive: engine === "postgres" ? state : undefined,
  });
  const login = async (username: string) => {
    const response = await fetch(`${worker.url}/api/auth/login/`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ username, password: BENCH_PASSWORD }) });
    if (!response.ok) throw new Error(`login ${username}: ${response.status}`);
    return ((await response.json()) as { access: string }).access;
  };
  try {
    const tokens = { caller: await login(`user${caller(users)}`), admin: await login(`user${users}`) };
    // A cursor deep in the star's followers: follow `next` links for a few pages, then jump by id.
    const deep = await deepCursor(worker.url, tokens.caller);
    return {
      stop: () => worker.stop(),
      async time(route: Route): Promise<RouteCost> {
        const path = route.path(users).replace("DEEP", encodeURIComponent(deep));
        const send = async () => {
          const headers: Record<string, string> = { "Content-Type": "application/json" };
          if (route.as) headers.Authorization = `Bearer ${tokens[route.as]}`;
          const started = performance.now();
          const response = await fetch(`${worker.url}${path}`, { method: route.method ?? "GET", headers, body: route.body ? JSON.stringify(route.body(users)) : undefined });
          await response.arrayBuffer();
          return { ms: performance.now() - started, status: response.status, ...timing(response.headers, engine) };
        };
        const samples: number[] = [];
        let last = { status: 0, statements: 0, reads: 0 };
        for (let i = 0; i < RUNS; i++) {
          const { ms, ...rest } = await send();
          samples.push(ms);
          last = rest;
        }
        if (last.status >= 300) throw new Error(`${route.name}: ${path} answered ${last.status}`);
        // PostgreSQL reports no rows read: its plans, logged for a few more requests, give the buffers.
        if (database.explain) {
          const buffers = await database.explain.during(async () => {
            for (let i = 0; i < EXPLAINED; i++) await send();
          });
          last.reads = Math.round(buffers / EXPLAINED);
        }
        const ms = [...samples].sort((a, b) => a - b)[Math.floor(samples.length / 2)]!;
        console.log(`  ${ENGINE_NAMES[engine]}, ${users.toLocaleString("en")} users, ${route.name}: ${ms.toFixed(1)} ms, ${last.statements} ${engine === "d1" ? "round trips" : "statements"}, ${last.reads} ${engine === "d1" ? "rows read" : "buffers"}`);
        return { ms, ...last };
      },
    };
  } catch (error) {
    await worker.stop();
    throw error;
  }
}

/**
 * Every route on each database of one size, route by route and engine after engine (so that a
 * busier minute of a shared machine falls on both engines' figures alike).
 */
async function costs(databases: Filled[]): Promise<Map<string, RouteCost>[]> {
  const opened: Awaited<ReturnType<typeof openDatabase>>[] = [];
  try {
    for (const database of databases) opened.push(await openDatabase(database));
    const results = databases.map(() => new Map<string, RouteCost>());
    for (const route of routes) for (const [i, database] of opened.entries()) results[i]!.set(route.name, await database.time(route));
    return results;
  } finally {
    for (const database of opened) await database.stop();
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

interface EngineReport {
  small: Size;
  large: Size;
  smallCosts: Map<string, RouteCost>;
  largeCosts: Map<string, RouteCost>;
}

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;

function sizeTable(engine: Engine, r: EngineReport): string {
  const { small, large } = r;
  const what = engine === "d1" ? "database size (D1's size_after)" : "database size (pg_database_size, after VACUUM FULL of users)";
  return [
    "| | small | large |",
    "|---|---:|---:|",
    `| users | ${small.users.toLocaleString("en")} | ${large.users.toLocaleString("en")} |`,
    `| follows | ${small.follows.toLocaleString("en")} | ${large.follows.toLocaleString("en")} |`,
    `| ${what} | ${mib(small.bytes.total)} | ${mib(large.bytes.total)} |`,
    `| time to fill users / follows (s) | ${small.seconds.users.toFixed(0)} / ${small.seconds.follows.toFixed(0)} | ${large.seconds.users.toFixed(0)} / ${large.seconds.follows.toFixed(0)} |`,
  ].join("\n");
}

function costTable(engine: Engine, r: EngineReport): string {
  const reads = engine === "d1" ? "rows read" : "buffers";
  const rows = routes.map((route) => {
    const s = r.smallCosts.get(route.name)!;
    const l = r.largeCosts.get(route.name)!;
    return `| ${route.name} | ${s.ms.toFixed(1)} | ${s.reads} | ${l.ms.toFixed(1)} | ${l.reads} | ${(l.ms / s.ms).toFixed(1)} | ${l.statements} |`;
  });
  return [
    `| route | small ms | small ${reads} | large ms | large ${reads} | large / small | ${engine === "d1" ? "D1 round trips" : "statements"} |`,
    "|---|---:|---:|---:|---:|---:|---:|",
    ...rows,
  ].join("\n");
}

function d1Section(r: EngineReport): string {
  const perUser = r.large.bytes.users / r.large.users;
  const perFollow = r.large.bytes.follows / r.large.follows;
  return `## D1 (local D1 in workerd)

${sizeTable("d1", r)}

Bytes per user (row and its two unique indexes): **${perUser.toFixed(0)}**. Bytes per follow (row and
its three indexes): **${perFollow.toFixed(0)}**.

Cost of each route, small database against large (rows read: D1's \`meta.rows_read\`, what D1 bills;
a statement sent alone through \`raw()\`, as profile GET's guard is, carries no meta: its 0 means
not reported):

${costTable("d1", r)}`;
}

function postgresSection(r: EngineReport): string {
  const perUser = r.large.bytes.users / r.large.users;
  const perFollow = r.large.bytes.follows / r.large.follows;
  return `## PostgreSQL (a local PostgreSQL 18 through Miniflare's local Hyperdrive)

${sizeTable("postgres", r)}

Bytes per user (\`pg_total_relation_size('users')\` right after the users are inserted: heap, TOAST,
the primary key and the two case-insensitive unique indexes): **${perUser.toFixed(0)}**. Bytes per
follow (\`pg_total_relation_size('follows')\`: heap, the primary key and three indexes, filled in
id order): **${perFollow.toFixed(0)}**.

Cost of each route, small database against large. PostgreSQL has no rows-read figure; "buffers" is
what \`EXPLAIN (ANALYZE, BUFFERS)\` reports for each statement's plan (shared buffers hit + read, 8 KiB
pages, the top node's count plus any data-modifying CTE the query does not read), summed over the
request's statements (through auto_explain, for ${EXPLAINED} more requests after the timed ones; statements
a route runs after its answer, in \`waitUntil\`, included). Statements are the engine's tally
(Server-Timing; BEGIN and COMMIT count). Every request opens a new connection locally (Miniflare's
Hyperdrive has no pool), which sets a floor of several ms under each figure:

${costTable("postgres", r)}`;
}

async function main() {
  const engines = enginesToRun();
  console.log(`Engines: ${engines.map((engine) => ENGINE_NAMES[engine]).join(", ")}. Building the bundle...`);
  buildBundle();
  const hash = hashPassword(BENCH_PASSWORD);
  const small: Filled[] = [];
  const large: Filled[] = [];
  if (engines.includes("d1")) {
    small.push({ engine: "d1", state: "bench/.capacity-small", size: await filledD1("bench/.capacity-small", USERS / 1000, hash) });
    large.push({ engine: "d1", state: "bench/.capacity", size: await filledD1("bench/.capacity", USERS, hash) });
  }
  // The feed's data on D1 (bench/capacity-feed.ts): posts, fan-out entries, a reader of 1,000 accounts.
  const d1Small = small.find((database) => database.engine === "d1");
  const d1Large = large.find((database) => database.engine === "d1");
  if (d1Small && d1Large) console.log("D1: adding the feed's data...");
  const feed = d1Small && d1Large ? { small: await fillFeed(d1Small.state, d1Small.size.users), large: await fillFeed(d1Large.state, d1Large.size.users) } : undefined;
  const server = engines.includes("postgres") ? await startExplainablePostgres() : undefined;
  try {
    if (server) {
      rmSync(POSTGRES_STATE, { recursive: true, force: true });
      for (const [name, users, into] of [["capacity_small", USERS / 1000, small], ["capacity_large", USERS, large]] as const) {
        console.log(`PostgreSQL: filling ${name} (${users.toLocaleString("en")} users)${users === USERS ? "; this takes minutes" : ""}...`);
        const size = await fillPostgres(await server.database(name), users, hash);
        into.push({ engine: "postgres", state: server.url(name), size, explain: server.explain(name) });
      }
    }
    console.log("Timing the routes on the small databases...");
    const smallCosts = await costs(small);
    console.log("Timing the routes on the large databases...");
    const largeCosts = await costs(large);
    const reports: Partial<Record<Engine, EngineReport>> = {};
    for (const [i, database] of small.entries()) reports[database.engine] = { small: database.size, large: large[i]!.size, smallCosts: smallCosts[i]!, largeCosts: largeCosts[i]! };
    let text = report(reports);
    if (feed && d1Small && d1Large) {
      console.log("D1: timing the feed...");
      const smallFeed = await feedCosts(d1Small.state, d1Small.size.users);
      const largeFeed = await feedCosts(d1Large.state, d1Large.size.users);
      text += feedReport({ size: feed.small, costs: smallFeed }, { size: feed.large, costs: largeFeed });
    }
    writeFileSync("bench/CAPACITY.md", text);
    console.log(`\n${text}`);
  } finally {
    await server?.stop();
  }
}

function report(reports: Partial<Record<Engine, EngineReport>>): string {
  const any = (reports.d1 ?? reports.postgres)!;
  const sections = [reports.d1 && d1Section(reports.d1), reports.postgres && postgresSection(reports.postgres)].filter(Boolean);
  const both =
    reports.d1 && reports.postgres
      ? `\n\n## Both engines at ${reports.d1.large.users.toLocaleString("en")} users\n\n| route | D1 ms | PostgreSQL ms | PostgreSQL / D1 |\n|---|---:|---:|---:|\n${routes
          .map((route) => {
            const d = reports.d1!.largeCosts.get(route.name)!.ms;
            const p = reports.postgres!.largeCosts.get(route.name)!.ms;
            return `| ${route.name} | ${d.toFixed(1)} | ${p.toFixed(1)} | ${(p / d).toFixed(1)} |`;
          })
          .join("\n")}`
      : "";
  return `# Capacity

\`npm run bench:capacity\` on ${new Date().toISOString().slice(0, 10)} (engines: ${Object.keys(reports).map((engine) => ENGINE_NAMES[engine as Engine]).join(", ")}; CAPACITY_USERS=${any.large.users}; sequential requests, median of ${RUNS}; each route timed on one engine, then on the other).
Followers of the stars: ${STARS.map((share) => Math.floor(any.large.users * share).toLocaleString("en")).join(", ")}; everyone
else follows ${SPREAD} users (3 power-law picks, 6 uniform), the same on both engines.

${sections.join("\n\n")}${both}
`;
}

/** `fillD1`, or with CAPACITY_REUSE=1 the sizes a previous fill of `state` recorded. */
async function filledD1(state: string, users: number, hash: string): Promise<Size> {
  const record = join(state, "size.json");
  if (process.env.CAPACITY_REUSE === "1" && existsSync(record)) {
    const size = JSON.parse(readFileSync(record, "utf8")) as Size;
    if (size.users === users && size.bytes.users !== undefined) return size;
  }
  console.log(`D1: filling ${state} (${users.toLocaleString("en")} users)...`);
  const size = await fillD1(state, users, hash);
  writeFileSync(record, JSON.stringify(size));
  return size;
}

await main();
