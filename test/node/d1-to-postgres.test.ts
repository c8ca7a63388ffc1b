/**
 * `npm run d1-to-postgres`: a local D1 filled through the Worker's API (registrations, logins,
 * a failed login, follows, posts, comments, likes, the feed's fan-out, notifications, a block and
 * a mute) and with rows of chosen values, moved into throw-away PostgreSQL databases (one per
 * case, on one embedded server).
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryResults } from "../../scripts/d1";
import { quietEnv } from "../../scripts/local-setup.mjs";
import { connectPostgres } from "../../scripts/postgres/client";
import { startLocalPostgres } from "../../scripts/postgres/local.mjs";
import { applyPostgresMigrations } from "../../scripts/postgres/migrate.mjs";
import { type CommandRun, runAsync } from "./engines";
import { type TestWorker, request, startTestWorker } from "./local-worker";

/** Every table of the D1 schema, with its primary key. */
const TABLES = {
  users: ["id"],
  follows: ["id"],
  token_families: ["id"],
  throttle_events: ["id"],
  known_addresses: ["user_id", "address"],
  posts: ["id"],
  comments: ["id"],
  likes: ["id"],
  feed_entries: ["owner_id", "post_id"],
  notifications: ["id"],
  blocks: ["id"],
  mutes: ["id"],
};
const NOTHING = Object.fromEntries(Object.keys(TABLES).map((table) => [table, 0]));
/** A move reads each page of each of the twelve tables with a wrangler run (about 2 s each here, more on a busy machine). */
const MOVE_TIMEOUT = 400_000;
const PBKDF2 = "pbkdf2_sha256$260000$c2FsdA$Yjk1MjU4YWYxZjQ1ZDNkNmRlZGZkODgxOWNkNjAyMTg=";
// Chosen values: a login time with milliseconds, flags both ways, NULLs, a quote in a key, a user
// and a post deleted after creation (D1's AUTOINCREMENT never hands out id 12, nor post 50, again),
// a pull author (users.feed_pull) with a pull follow (follows.pull) and a relations_version.
const SEED = `
INSERT INTO users (id, password, last_login, is_superuser, username, first_name, last_name, email, is_staff, is_active, date_joined, bio, profile_picture, email_verified, pending_email, followers_count, following_count)
  VALUES (10, '${PBKDF2}', 1764000000123, 1, 'dora', 'Dora', 'Explorer', 'dora@example.com', 1, 0, 1700000000001, NULL, 'profile_pics/dora.png', 1, 'dora.new@example.com', 0, 0);
INSERT INTO users (id, password, username, date_joined) VALUES (12, 'x', 'gone', 1);
DELETE FROM users WHERE id = 12;
INSERT INTO token_families (id, user_id, current_jti, created_at, expires_at) VALUES ('fam''quoted', 10, 'jti-1', 1764000000000, 1764086400000);
INSERT INTO throttle_events (key, at) VALUES ('register:203.0.113.9', 1764000000999);
INSERT INTO posts (id, author_id, title, content, created_at, updated_at) VALUES (50, 10, 'Gone', 'Deleted at once.', 1764000000000, 1764000000000);
DELETE FROM posts WHERE id = 50;
UPDATE users SET feed_pull = 1, relations_version = 3, followers_count = 1 WHERE id = 10;
INSERT INTO follows (follower_id, followee_id, created_at, pull) VALUES (4, 10, 1764000000456, 1);
UPDATE users SET following_count = following_count + 1 WHERE id = 4;
`;

let worker: TestWorker;
/** Alice's tokens from her login on D1, before the move. */
let aliceTokens: { access: string; refresh: string };
/** Bob's and Carol's posts, made on D1. */
let posts: { bob: number; carol: number };
let server: { url: string; stop: () => Promise<void> };
let admin: pg.Client;
const clients: pg.Client[] = [];

/** A new empty database on the test server; its URL. */
async function database(name: string): Promise<string> {
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(server.url);
  url.pathname = `/${name}`;
  return url.toString();
}

async function connect(url: string): Promise<pg.Client> {
  const client = await connectPostgres(url);
  clients.push(client);
  return client;
}

const move = (url: string, args: string[] = [], stateDir = worker.stateDir): Promise<CommandRun> =>
  runAsync("npm", ["run", "--silent", "d1-to-postgres", "--", "--persist-to", stateDir, ...args], { env: { ...process.env, DATABASE_URL: url } });

const d1Rows = (sql: string, stateDir = worker.stateDir) => queryResults(sql, { remote: false, persistTo: stateDir })[0] as Record<string, unknown>[];

/** PostgreSQL's values as D1 holds them: booleans 0/1, times in milliseconds. */
const asD1 = (row: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(row).map(([key, value]) => [key, typeof value === "boolean" ? Number(value) : value instanceof Date ? value.getTime() : value]));

const byKey = (table: keyof typeof TABLES) => (a: Record<string, unknown>, b: Record<string, unknown>) => {
  const [x, y] = [TABLES[table].map((column) => a[column]), TABLES[table].map((column) => b[column])];
  return JSON.stringify(x) < JSON.stringify(y) ? -1 : 1;
};

/** Every row of every table, in D1 and in PostgreSQL, in D1's representation. */
async function bothSides(client: pg.Client) {
  const sides: Record<string, { d1: unknown[]; postgres: unknown[] }> = {};
  for (const table of Object.keys(TABLES) as (keyof typeof TABLES)[]) {
    const { rows } = await client.query(`SELECT * FROM ${table}`);
    sides[table] = { d1: d1Rows(`SELECT * FROM ${table}`).sort(byKey(table)), postgres: rows.map(asD1).sort(byKey(table)) };
  }
  return sides;
}

async function counts(client: pg.Client): Promise<Record<string, number>> {
  const result: Record<string, number> = {};
  for (const table of Object.keys(TABLES)) result[table] = (await client.query<{ n: number }>(`SELECT count(*) AS n FROM ${table}`)).rows[0]!.n;
  return result;
}

beforeAll(async () => {
  worker = await startTestWorker();
  const api = (path: string, body: unknown, token?: string) => request(`${worker.url}${path}`, "POST", body, token);
  for (const name of ["alice", "bob", "carol", "erin"]) {
    const password = `${name}-passphrase-91`;
    expect((await api("/api/auth/register/", { username: name, email: `${name}@example.com`, password, password2: password })).status).toBe(201);
  }
  const alice = await api("/api/auth/login/", { username: "alice", password: "alice-passphrase-91" });
  expect(alice.status).toBe(200);
  aliceTokens = alice.body;
  expect((await api("/api/auth/login/", { username: "bob", password: "wrong-passphrase" })).status).toBe(401);
  expect((await api("/api/auth/login/", { username: "bob", password: "bob-passphrase-91" })).status).toBe(200);
  expect((await api("/api/auth/follow/2/", undefined, alice.body.access)).status).toBe(200);
  expect((await api("/api/auth/follow/3/", undefined, alice.body.access)).status).toBe(200);
  // The social tables: posts (fanned out to Alice's feed by the queue), comments, likes, their notifications, a block, a mute.
  const [bob, carol, erin] = await Promise.all(["bob", "carol", "erin"].map(async (name) => (await api("/api/auth/login/", { username: name, password: `${name}-passphrase-91` })).body.access as string));
  const post = async (token: string, title: string) => {
    const made = await api("/api/posts/", { title, content: `${title}, at length.` }, token);
    expect(made.status).toBe(201);
    return made.body.id as number;
  };
  posts = { bob: await post(bob, "Bob's post"), carol: await post(carol, "Carol's post") };
  expect((await api(`/api/posts/${posts.bob}/like/`, undefined, alice.body.access)).status).toBe(201);
  expect((await api(`/api/posts/${posts.carol}/like/`, undefined, bob)).status).toBe(201);
  expect((await api(`/api/posts/${posts.carol}/comments/`, { content: "Alice on Carol's" }, alice.body.access)).status).toBe(201);
  expect((await api(`/api/posts/${posts.bob}/comments/`, { content: "Carol on Bob's" }, carol)).status).toBe(201);
  expect((await api("/api/users/4/block/", undefined, bob)).status).toBe(200);
  expect((await api("/api/users/2/mute/", undefined, erin)).status).toBe(200);
  for (let tries = 0; ; tries += 1) {
    const feed = await request(`${worker.url}/api/feed/`, "GET", undefined, alice.body.access);
    if (feed.body.results.length === 2) break;
    expect(tries, "the fan-outs never landed").toBeLessThan(100);
    await new Promise((done) => setTimeout(done, 100));
  }
  const seeded = await worker.pausedFor(() => {
    const dir = mkdtempSync(join(tmpdir(), "seed-"));
    writeFileSync(join(dir, "seed.sql"), SEED);
    const run = spawnSync("npx", ["wrangler", "d1", "execute", "DB", "--local", "--persist-to", worker.stateDir, "--file", join(dir, "seed.sql"), "--yes"], { env: quietEnv, encoding: "utf8" });
    rmSync(dir, { recursive: true, force: true });
    return run;
  });
  expect(seeded.status, seeded.stderr).toBe(0);
  server = await startLocalPostgres();
  admin = await connect(server.url.replace(/\/[^/]+$/, "/postgres"));
});

afterAll(async () => {
  for (const client of clients) await client.end();
  await server?.stop();
  await worker?.stop();
});

describe("npm run d1-to-postgres", () => {
  let moved: pg.Client;
  let movedUrl: string;

  it("moves every table (the social ones too), row and value, and reports the rows per table on both sides", async () => {
    const url = await database("moved");
    movedUrl = url;
    const run = await move(url, ["--page-size", "4"]);
    expect(run.status, run.stderr).toBe(0);
    moved = await connect(url);
    const sides = await bothSides(moved);
    for (const [table, { d1, postgres }] of Object.entries(sides)) {
      expect(d1.length, table).toBeGreaterThan(0);
      expect(postgres, table).toEqual(d1);
    }
    const d1Counts = Object.fromEntries(Object.entries(sides).map(([table, { d1 }]) => [table, d1.length]));
    for (const [table, n] of Object.entries(d1Counts)) expect(run.stdout).toMatch(new RegExp(`^${table} +${n} +${n}$`, "m"));
    expect(run.stdout).toContain("Every table has as many rows in PostgreSQL as in D1. The move is complete.");
    expect(await counts(moved)).toEqual(d1Counts);
  }, MOVE_TIMEOUT);

  it("writes PostgreSQL's own types: timestamptz to the millisecond, booleans, NULLs, the hash as it was", async () => {
    const { rows } = await moved.query(
      "SELECT pg_typeof(last_login)::text AS type, last_login, date_joined, is_superuser, is_staff, is_active, bio, password, pending_email FROM users WHERE id = 10",
    );
    const pull = await moved.query("SELECT u.feed_pull, u.relations_version, f.pull FROM users u JOIN follows f ON f.followee_id = u.id WHERE u.id = 10");
    expect(pull.rows).toEqual([{ feed_pull: true, relations_version: 3, pull: true }]);
    const notifications = await moved.query("SELECT kind, read, pg_typeof(created_at)::text AS type FROM notifications ORDER BY id");
    expect(notifications.rows).toEqual([
      ...["follow", "follow", "like", "like", "comment", "comment"].map((kind) => ({ kind, read: false, type: "timestamp with time zone" })),
    ]);
    expect(rows).toEqual([
      {
        type: "timestamp with time zone",
        last_login: new Date("2025-11-24T16:00:00.123Z"),
        date_joined: new Date(1700000000001),
        is_superuser: true,
        is_staff: true,
        is_active: false,
        bio: null,
        password: PBKDF2,
        pending_email: "dora.new@example.com",
      },
    ]);
    const family = await moved.query("SELECT id, revoked_at, rotated_at, expires_at FROM token_families WHERE user_id = 10");
    expect(family.rows).toEqual([{ id: "fam'quoted", revoked_at: null, rotated_at: null, expires_at: new Date(1764086400000) }]);
  });

  it("moves the identity sequences on: the next insert gets an id past every id D1 handed out", async () => {
    // D1's users reached id 12 (deleted since): a registration after the move gets 13, not 1 or 11.
    const user = await moved.query<{ id: number }>("INSERT INTO users (username, password, date_joined) VALUES ('newcomer', 'x', now()) RETURNING id");
    expect(user.rows).toEqual([{ id: 13 }]);
    const maxFollow = d1Rows("SELECT max(id) AS n FROM follows")[0]!.n as number;
    const follow = await moved.query<{ id: number }>("INSERT INTO follows (follower_id, followee_id, created_at) VALUES (13, 1, now()) RETURNING id");
    expect(follow.rows).toEqual([{ id: maxFollow + 1 }]);
    const maxEvent = d1Rows("SELECT max(id) AS n FROM throttle_events")[0]!.n as number;
    const event = await moved.query<{ id: number }>("INSERT INTO throttle_events (key, at) VALUES ('k', 0) RETURNING id");
    expect(event.rows).toEqual([{ id: maxEvent + 1 }]);
    // D1's posts reached id 50 (deleted since): the next post is 51; the other social tables go on after their highest id.
    const post = await moved.query<{ id: number }>("INSERT INTO posts (author_id, title, content, created_at, updated_at) VALUES (13, 't', 'c', now(), now()) RETURNING id");
    expect(post.rows).toEqual([{ id: 51 }]);
    for (const [table, insert] of [
      ["comments", "INSERT INTO comments (post_id, author_id, content, created_at, updated_at) VALUES (51, 13, 'c', now(), now()) RETURNING id"],
      ["likes", "INSERT INTO likes (user_id, post_id, created_at) VALUES (13, 51, now()) RETURNING id"],
      ["notifications", "INSERT INTO notifications (recipient_id, actor_id, kind, cause, read, created_at) VALUES (13, 1, 'follow', 'follow:1:13', false, now()) RETURNING id"],
      ["blocks", "INSERT INTO blocks (blocker_id, blocked_id, created_at) VALUES (13, 10, now()) RETURNING id"],
      ["mutes", "INSERT INTO mutes (muter_id, muted_id, created_at) VALUES (13, 10, now()) RETURNING id"],
    ]) {
      const max = d1Rows(`SELECT max(id) AS n FROM ${table}`)[0]!.n as number;
      expect((await moved.query<{ id: number }>(insert!)).rows, table).toEqual([{ id: max + 1 }]);
    }
  });

  it("leaves a database the Worker serves: moved users log in, their follows, sessions, posts, comments, likes, feeds, notifications and blocks came along", async () => {
    const served = await startTestWorker({}, { hyperdrive: movedUrl });
    try {
      const api = (method: string, path: string, body?: unknown, token?: string) => request(`${served.url}${path}`, method, body, token);
      // Alice's session from D1 goes on: its refresh token rotates on PostgreSQL, and the new access token works.
      const refreshed = await api("POST", "/api/auth/token/refresh/", { refresh: aliceTokens.refresh });
      expect(refreshed.status, JSON.stringify(refreshed.body)).toBe(200);
      expect((await api("GET", "/api/auth/profile/", undefined, refreshed.body.access)).status).toBe(200);
      const alice = await api("POST", "/api/auth/login/", { username: "alice", password: "alice-passphrase-91" });
      expect(alice.status).toBe(200);
      const following = await api("GET", "/api/users/1/following/", undefined, alice.body.access);
      expect(following.body.results.map((user: { username: string }) => user.username).sort()).toEqual(["bob", "carol"]);
      expect((await api("GET", "/api/auth/profile/", undefined, alice.body.access)).body).toMatchObject({ id: 1, username: "alice", following_count: 2 });
      expect((await api("POST", "/api/auth/login/", { username: "bob", password: "wrong-passphrase" })).status).toBe(401);
      // A registration takes the next id (the sequences moved on past the newcomer above).
      const frank = { username: "frank", email: "frank@example.com", password: "frank-passphrase-91", password2: "frank-passphrase-91" };
      expect((await api("POST", "/api/auth/register/", frank)).status).toBe(201);
      expect((await moved.query("SELECT id FROM users WHERE username = 'frank'")).rows).toEqual([{ id: 14 }]);

      // The social data came along: Alice's feed with its counters and liked flags, a post's comments, Bob's notifications and block.
      const ISO = expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      const post = (id: number, author: string, authorId: number, title: string, liked: boolean) => ({
        id, author, author_id: authorId, title, content: `${title}, at length.`, created_at: ISO, updated_at: ISO, likes_count: 1, comments_count: 1, liked,
      });
      const feed = await api("GET", "/api/feed/", undefined, alice.body.access);
      expect(feed.status).toBe(200);
      expect(feed.body).toEqual({ next: null, previous: null, results: [post(posts.carol, "carol", 3, "Carol's post", false), post(posts.bob, "bob", 2, "Bob's post", true)] });
      const thread = await api("GET", `/api/posts/${posts.bob}/comments/`);
      expect(thread.body).toEqual({
        next: null,
        previous: null,
        results: [{ id: expect.any(Number), post: posts.bob, author: "carol", author_id: 3, content: "Carol on Bob's", created_at: ISO, updated_at: ISO }],
      });
      const bob = (await api("POST", "/api/auth/login/", { username: "bob", password: "bob-passphrase-91" })).body.access as string;
      const seen = (user: string, id: number, followers: number, following: number) => ({
        id, username: user, bio: null, profile_picture: null, followers_count: followers, following_count: following, is_following: false,
      });
      const notification = (actor: unknown, verb: string, target: number | null) => ({
        id: expect.any(Number), actor, verb, target: target === null ? null : { type: "post", id: target }, read: false, timestamp: ISO,
      });
      const inbox = await api("GET", "/api/notifications/", undefined, bob);
      expect(inbox.body).toEqual({
        next: null,
        previous: null,
        results: [
          notification(seen("carol", 3, 1, 0), "commented on your post", posts.bob),
          notification(seen("alice", 1, 0, 2), "liked your post", posts.bob),
          notification(seen("alice", 1, 0, 2), "followed you", null),
        ],
      });
      expect((await api("GET", "/api/users/relationships/?id=4", undefined, bob)).body).toEqual({
        results: [{ id: 4, following: false, followed_by: false, blocking: true, blocked_by: false, muting: false }],
      });
      // Counters go on from the moved values.
      expect(await api("POST", `/api/posts/${posts.carol}/like/`, undefined, alice.body.access)).toMatchObject({ status: 201, body: { detail: "Post liked.", likes_count: 2 } });
    } finally {
      await served.stop();
    }
  });

  it("refuses a database holding rows it did not copy, writing nothing", async () => {
    // A database where something else wrote first (here: a user): a fresh move must not mix with it.
    const other = await database("other");
    const client = await connect(other);
    await applyPostgresMigrations(other);
    await client.query("INSERT INTO users (username, password, date_joined) VALUES ('someone', 'x', now())");
    const run = await move(other);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("PostgreSQL already has rows that this command did not copy (users: 1): move into an empty database. Nothing was written.");
    expect(await counts(client)).toEqual({ ...NOTHING, users: 1 });
    expect((await client.query("SELECT to_regclass('d1_to_postgres.progress') AS progress")).rows).toEqual([{ progress: null }]);
  });

  it("resumes after being killed midway, copying nothing twice and finishing the rest", async () => {
    const url = await database("resumed");
    const client = await connect(url);
    // Killed (SIGKILL, no chance to clean up) as soon as its second page of users has committed.
    const child: ChildProcess = spawn("npm", ["run", "--silent", "d1-to-postgres", "--", "--persist-to", worker.stateDir, "--page-size", "2"], {
      env: { ...process.env, DATABASE_URL: url },
      detached: true,
    });
    let output = "";
    let killed = false;
    const ended = new Promise<void>((resolve) => child.on("close", () => resolve()));
    child.stdout!.on("data", (chunk) => {
      output += chunk;
      if (!killed && output.includes("users: 4 of")) {
        killed = true;
        process.kill(-child.pid!, "SIGKILL");
      }
    });
    await ended;
    expect(output).toContain("users: 4 of");
    expect(output).not.toContain("The move is complete");
    const partial = await counts(client);
    const total = Object.fromEntries(Object.keys(TABLES).map((table) => [table, d1Rows(`SELECT count(*) AS n FROM ${table}`)[0]!.n]));
    expect(partial.users).toBeGreaterThanOrEqual(4);
    expect(partial.users).toBeLessThan(total.users as number);
    expect(partial.token_families).toBe(0);

    // Resumed: every page goes in with a plain INSERT, so a page copied twice would fail on its primary key.
    const run = await move(url);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain("Resuming the move from the local D1 database.");
    expect(run.stdout).toContain(`users: ${partial.users} rows copied before; continuing after them.`);
    expect(run.stdout).toContain("The move is complete.");
    expect(await counts(client)).toEqual(total);
    for (const [table, { d1, postgres }] of Object.entries(await bothSides(client))) expect(postgres, table).toEqual(d1);

    // Run again once complete: nothing more to copy, nothing duplicated.
    const again = await move(url);
    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout).not.toMatch(/rows copied\.$/m);
    expect(await counts(client)).toEqual(total);
  }, MOVE_TIMEOUT);
});

describe("npm run d1-to-postgres with users that PostgreSQL's lower() makes one", () => {
  let stateDir: string;
  beforeAll(() => {
    stateDir = mkdtempSync(join(tmpdir(), "sma-fold-"));
    const apply = spawnSync("npx", ["wrangler", "d1", "migrations", "apply", "DB", "--local", "--persist-to", stateDir], { env: quietEnv, encoding: "utf8" });
    expect(apply.status, apply.stderr).toBe(0);
    // Distinct to SQLite's lower() (ASCII only), one to PostgreSQL's.
    const seed = `INSERT INTO users (id, password, username, email, date_joined) VALUES
      (1, 'x', 'Ärger', 'one@example.com', 1), (2, 'x', 'plain', 'Ünal@example.com', 1), (3, 'x', 'ärger', 'ünal@example.com', 1), (4, 'x', 'zoë', 'zoe@example.com', 1), (5, 'x', 'ZOË', 'zoe2@example.com', 1);
      INSERT INTO follows (follower_id, followee_id, created_at) VALUES (1, 2, 1);`;
    const run = spawnSync("npx", ["wrangler", "d1", "execute", "DB", "--local", "--persist-to", stateDir, "--command", seed], { env: quietEnv, encoding: "utf8" });
    expect(run.status, run.stderr).toBe(0);
  });
  afterAll(() => rmSync(stateDir, { recursive: true, force: true }));

  it("names them before writing anything, and writes nothing", async () => {
    const url = await database("folded");
    const run = await move(url, ["--page-size", "2"], stateDir);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("Users that are different in D1 but the same to PostgreSQL, whose unique indexes compare lower(username) and lower(email)");
    expect(run.stderr).toContain('  username "Ärger" (id 1), "ärger" (id 3)');
    expect(run.stderr).toContain('  username "zoë" (id 4), "ZOË" (id 5)');
    // Addresses are personal data: named by the users' ids.
    expect(run.stderr).toContain("  email of the users with ids 2, 3");
    expect(run.stderr).not.toContain("nal@example.com");
    expect(run.stderr).toContain("Nothing was written.");
    expect(run.stdout).not.toContain("rows copied");
    const client = await connect(url);
    expect(await counts(client)).toEqual(NOTHING);
    expect((await client.query("SELECT to_regclass('d1_to_postgres.progress') AS progress")).rows).toEqual([{ progress: null }]);
  });
});
