/**
 * `npm run dev:postgres`, run as a developer runs it, in a copy of the project (its own
 * .wrangler/ and generated config; node_modules linked) on ports of its own, stopped with a
 * Ctrl-C to its process group. What pins PostgreSQL here: the binding wrangler reports, the
 * migrated database, /healthz answered by a query on it, and a registration through the API
 * landing in it.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { chmodSync, cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type pg from "pg";
import { unstable_getMiniflareWorkerOptions } from "wrangler";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectPostgres } from "../../scripts/postgres/client";
import { freePort, startLocalPostgres } from "../../scripts/postgres/local.mjs";
import { runAsync } from "./engines";

const ROOT = resolve(import.meta.dirname, "../..");
const MIGRATIONS = (JSON.parse(readFileSync(join(ROOT, "migrations/postgres/meta/_journal.json"), "utf8")) as { entries: unknown[] }).entries.length;

let project: string;
const running: ChildProcess[] = [];

interface Dev {
  child: ChildProcess;
  output: () => string;
  url: string;
}

/** Starts `npm run dev:postgres -- --port <free>` in the copy; resolves once /healthz answers. */
async function startDev(env: NodeJS.ProcessEnv): Promise<Dev> {
  const port = await freePort();
  const child = spawn("npm", ["run", "dev:postgres", "--", "--port", String(port)], { cwd: project, env: { ...process.env, ...env }, detached: true });
  running.push(child);
  let output = "";
  child.stdout!.on("data", (chunk) => (output += chunk));
  child.stderr!.on("data", (chunk) => (output += chunk));
  const url = `http://127.0.0.1:${port}`;
  for (let waited = 0; ; waited += 500) {
    if (child.exitCode !== null) throw new Error(`dev:postgres exited early:\n${output}`);
    if (waited > 120_000) throw new Error(`dev:postgres did not answer in time:\n${output}`);
    const response = await fetch(`${url}/healthz`).catch(() => undefined);
    if (response) return { child, output: () => output, url };
    await new Promise((done) => setTimeout(done, 500));
  }
}

/** Ctrl-C, as a terminal sends it: SIGINT to the whole process group. Resolves with the exit code once every process of the group is gone. */
async function interrupt(dev: Dev): Promise<number | null> {
  const exited = dev.child.exitCode !== null ? Promise.resolve(dev.child.exitCode) : new Promise<number | null>((done) => dev.child.on("exit", (code) => done(code)));
  process.kill(-dev.child.pid!, "SIGINT");
  const code = await exited;
  for (let waited = 0; groupAlive(dev.child.pid!); waited += 200) {
    if (waited > 20_000) throw new Error("processes of dev:postgres outlived it");
    await new Promise((done) => setTimeout(done, 200));
  }
  return code;
}

function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** GET /healthz pings the store the HYPERDRIVE binding selects: a query on PostgreSQL, answered 200. */
async function answersOnPostgres(dev: Dev): Promise<void> {
  const health = await fetch(`${dev.url}/healthz`);
  expect(health.status).toBe(200);
  expect(await health.json()).toEqual({ status: "ok" });
}

async function migrationsApplied(client: pg.Client): Promise<unknown> {
  const { rows } = await client.query("SELECT count(*) AS n, to_regclass('public.users')::text AS users FROM drizzle.__drizzle_migrations");
  return rows[0];
}

beforeAll(() => {
  project = mkdtempSync(join(tmpdir(), "sma-project-"));
  // As a checkout usually is (mkdtemp makes it 0700): run as root, PostgreSQL runs as "postgres" and must pass through it.
  chmodSync(project, 0o755);
  for (const entry of ["src", "public", "admin", "scripts", "migrations", "package.json", "wrangler.toml", ".dev.vars.example"]) {
    cpSync(join(ROOT, entry), join(project, entry), { recursive: true, filter: (source) => !source.includes(`${ROOT}/public/admin`) });
  }
  symlinkSync(join(ROOT, "node_modules"), join(project, "node_modules"));
});

afterAll(() => {
  for (const child of running) if (groupAlive(child.pid!)) process.kill(-child.pid!, "SIGKILL");
  rmSync(project, { recursive: true, force: true });
});

describe("npm run dev", () => {
  it("stays on D1: wrangler.toml gives the Worker no HYPERDRIVE binding", () => {
    const { workerOptions } = unstable_getMiniflareWorkerOptions(join(ROOT, "wrangler.toml"));
    expect(workerOptions.hyperdrives ?? {}).toEqual({});
    expect(workerOptions.d1Databases).toMatchObject({ DB: expect.anything() });
  });
});

describe("npm run db:migrate:postgres", () => {
  it("applies the PostgreSQL migrations to DATABASE_URL's database, and again changes nothing", async () => {
    const server = await startLocalPostgres();
    const client = await connectPostgres(server.url);
    try {
      for (let run = 0; run < 2; run += 1) {
        const migrate = await runAsync("npm", ["run", "--silent", "db:migrate:postgres"], { env: { ...process.env, DATABASE_URL: server.url } });
        expect(migrate.status, migrate.stderr).toBe(0);
        expect(migrate.stdout).toBe("PostgreSQL migrations applied to the PostgreSQL database of DATABASE_URL.\n");
        expect(await migrationsApplied(client)).toEqual({ n: MIGRATIONS, users: "users" });
      }
    } finally {
      await client.end();
      await server.stop();
    }
  });
});

describe("npm run dev:postgres", () => {
  it("serves on the PostgreSQL of DATABASE_URL, migrated, with the HYPERDRIVE binding given to wrangler dev, and leaves that server running", async () => {
    const server = await startLocalPostgres();
    try {
      const dev = await startDev({ DATABASE_URL: server.url });
      await answersOnPostgres(dev);
      expect(dev.output()).toContain("PostgreSQL: the PostgreSQL database of DATABASE_URL; migrations applied.");
      expect(dev.output()).toMatch(/env\.HYPERDRIVE \(local-postgres\) +Hyperdrive Config +local/);
      // The connection string (with its password) reaches wrangler through the environment only.
      expect(dev.output()).not.toContain(server.url);
      expect(readFileSync(join(project, "wrangler.postgres.toml"), "utf8")).not.toContain(server.url);
      expect(readFileSync(join(project, "wrangler.toml"), "utf8")).toBe(readFileSync(join(ROOT, "wrangler.toml"), "utf8"));
      const client = await connectPostgres(server.url);
      try {
        expect(await migrationsApplied(client)).toEqual({ n: MIGRATIONS, users: "users" });
        // The API writes to this database.
        const registered = await fetch(`${dev.url}/api/auth/register/`, {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ username: "through-the-api", email: "api@example.com", password: "a-dev-passphrase-9", password2: "a-dev-passphrase-9" }),
        });
        expect(registered.status, await registered.clone().text()).toBe(201);
        expect((await client.query("SELECT username FROM users")).rows).toEqual([{ username: "through-the-api" }]);
        await interrupt(dev);
        // Not this command's server: still there.
        expect((await client.query("SELECT 1 AS up")).rows).toEqual([{ up: 1 }]);
      } finally {
        await client.end();
      }
      // No local server was made.
      expect(existsSync(join(project, ".wrangler/postgres"))).toBe(false);
    } finally {
      await server.stop();
    }
  });

  it("without DATABASE_URL, starts a local PostgreSQL with its data in .wrangler/postgres/, stops it on Ctrl-C, and finds the data again next time", async () => {
    const port = await freePort();
    const url = `postgres://postgres:postgres@127.0.0.1:${port}/social_media_api`;
    const env = { DATABASE_URL: "", DEV_POSTGRES_PORT: String(port) };
    const first = await startDev(env);
    await answersOnPostgres(first);
    expect(first.output()).toContain(`PostgreSQL: the local PostgreSQL database, .wrangler/postgres/ on port ${port}; migrations applied.`);
    expect(first.output()).toMatch(/env\.HYPERDRIVE \(local-postgres\) +Hyperdrive Config +local/);
    let client = await connectPostgres(url);
    expect(await migrationsApplied(client)).toEqual({ n: MIGRATIONS, users: "users" });
    const { rows: [dataDirectory] } = await client.query("SELECT current_setting('data_directory') AS dir");
    expect(dataDirectory).toEqual({ dir: join(project, ".wrangler/postgres") });
    await client.query("INSERT INTO users (username, password, date_joined) VALUES ('kept', 'x', now())");
    await client.end();

    await interrupt(first);
    // Stopped with the command: nothing listens, and PostgreSQL shut down cleanly.
    await expect(connectPostgres(url)).rejects.toThrow(/ECONNREFUSED/);
    expect(existsSync(join(project, ".wrangler/postgres/postmaster.pid"))).toBe(false);

    const second = await startDev(env);
    client = await connectPostgres(url);
    try {
      expect((await client.query("SELECT username FROM users")).rows).toEqual([{ username: "kept" }]);
    } finally {
      await client.end();
    }
    await interrupt(second);
    await expect(connectPostgres(url)).rejects.toThrow(/ECONNREFUSED/);
  });
});
