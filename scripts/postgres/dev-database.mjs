// The PostgreSQL that `npm run dev:postgres` and the scripts' `--postgres` act on: the server of
// DATABASE_URL when it is set; otherwise the project's local one (data in .wrangler/postgres/),
// used where it already runs on its port (dev:postgres, or another command) and else started
// for as long as the caller needs it.
import { realpathSync } from "node:fs";
import { resolve } from "node:path";
import pg from "pg";
import { DATABASE, DEV_POSTGRES_DIR, DEV_POSTGRES_PORT, startLocalPostgres } from "./local.mjs";

/** The local server's port: DEV_POSTGRES_PORT in the environment (two checkouts on one machine), else 54329. */
export function devPostgresPort() {
  const port = Number(process.env.DEV_POSTGRES_PORT ?? DEV_POSTGRES_PORT);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`DEV_POSTGRES_PORT is not a port: ${process.env.DEV_POSTGRES_PORT}`);
  return port;
}

const samePath = (a, b) => {
  try {
    return realpathSync(a) === realpathSync(b);
  } catch {
    return false;
  }
};

/**
 * The data directory of the PostgreSQL answering on `port` of 127.0.0.1 with the local
 * credentials, or undefined when nothing listens there.
 */
async function runningDataDirectory(port) {
  const client = new pg.Client({ host: "127.0.0.1", port, user: "postgres", password: "postgres", database: "postgres", connectionTimeoutMillis: 5000 });
  client.on("error", () => {});
  try {
    await client.connect();
  } catch (error) {
    if (error.code === "ECONNREFUSED") return undefined;
    throw new Error(`Port ${port} of 127.0.0.1 answers, but not as the local PostgreSQL of this project (${error.message}). Stop what listens there, set DEV_POSTGRES_PORT, or set DATABASE_URL.`);
  }
  try {
    const { rows } = await client.query("select current_setting('data_directory') as dir");
    return rows[0].dir;
  } finally {
    await client.end();
  }
}

/**
 * Opens the database: `{ url, where, stop }`. `where` names it for reports; `stop` stops a local
 * server this call started (and does nothing otherwise). `log` receives the local server's log.
 * @param {{ log?: (message: string) => void }} [options]
 * @returns {Promise<{ url: string; where: string; local: boolean; stop: () => Promise<void> }>}
 */
export async function openDevPostgres({ log } = {}) {
  if (process.env.DATABASE_URL) {
    return { url: process.env.DATABASE_URL, where: "PostgreSQL database of DATABASE_URL", local: false, stop: async () => {} };
  }
  const port = devPostgresPort();
  const dir = resolve(DEV_POSTGRES_DIR);
  const where = `local PostgreSQL database, ${DEV_POSTGRES_DIR}/ on port ${port}`;
  const running = await runningDataDirectory(port);
  if (running !== undefined) {
    if (!samePath(running, dir)) {
      throw new Error(`Port ${port} is taken by another PostgreSQL (data in ${running}), not this project's (${dir}). Stop it, set DEV_POSTGRES_PORT to another port, or set DATABASE_URL.`);
    }
    // Already running (npm run dev:postgres, or another command): used, and left running.
    const url = `postgres://postgres:postgres@127.0.0.1:${port}/${DATABASE}`;
    await ensureDatabase(port);
    return { url, where, local: true, stop: async () => {} };
  }
  const server = await startLocalPostgres({ dir, port, log });
  return { url: server.url, where, local: true, stop: server.stop };
}

/** The application database on a server that is already running (dev:postgres created it, but it may have been dropped). */
async function ensureDatabase(port) {
  const client = new pg.Client({ host: "127.0.0.1", port, user: "postgres", password: "postgres", database: "postgres" });
  await client.connect();
  try {
    const { rowCount } = await client.query("select 1 from pg_database where datname = $1", [DATABASE]);
    if (rowCount === 0) await client.query(`create database ${client.escapeIdentifier(DATABASE)}`);
  } finally {
    await client.end();
  }
}
