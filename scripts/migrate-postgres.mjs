// `npm run db:migrate:postgres`: applies migrations/postgres to the PostgreSQL of DATABASE_URL (a
// deployment's, before `wrangler deploy`), or else to the local one of `npm run dev:postgres`.
// Safe to repeat: applied migrations are recorded in drizzle.__drizzle_migrations.
import { openDevPostgres } from "./postgres/dev-database.mjs";
import { applyPostgresMigrations } from "./postgres/migrate.mjs";

try {
  const database = await openDevPostgres();
  try {
    await applyPostgresMigrations(database.url);
    console.log(`PostgreSQL migrations applied to the ${database.where}.`);
  } finally {
    await database.stop();
  }
} catch (error) {
  console.error(`Could not apply the PostgreSQL migrations: ${error.message}`);
  process.exitCode = 1;
}
