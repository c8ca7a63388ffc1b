// Applies the PostgreSQL migrations (migrations/postgres, written by drizzle-kit) to `url`.
// Drizzle's migrator records what it applied in drizzle.__drizzle_migrations, so it is safe to repeat.
import { resolve } from "node:path";
import { drizzle } from "drizzle-orm/node-postgres";
import { migrate } from "drizzle-orm/node-postgres/migrator";
import pg from "pg";

export const POSTGRES_MIGRATIONS = resolve(import.meta.dirname, "../../migrations/postgres");

export async function applyPostgresMigrations(url) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    // The migrator's own notices ("schema drizzle already exists") are not news.
    client.on("notice", () => {});
    await migrate(drizzle({ client }), { migrationsFolder: POSTGRES_MIGRATIONS });
  } finally {
    await client.end();
  }
}
