/** node-postgres clients for the command-line scripts. */
import pg from "pg";
import { openDevPostgres } from "./dev-database.mjs";
import { applyPostgresMigrations } from "./migrate.mjs";

const INT8 = 20;

/** int8 as a JavaScript number: ids stay below 2^53, and one above is an error rather than a silent rounding. */
function safeInteger(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new Error(`integer beyond 2^53 read from PostgreSQL: ${text}`);
  return value;
}

export async function connectPostgres(url: string): Promise<pg.Client> {
  const client = new pg.Client({
    connectionString: url,
    types: { getTypeParser: ((oid: number, format?: "text" | "binary") => (oid === INT8 ? safeInteger : pg.types.getTypeParser(oid, format))) as typeof pg.types.getTypeParser },
  });
  await client.connect();
  // Notices ("relation already exists, skipping") are not news for these scripts.
  client.on("notice", () => {});
  return client;
}

/**
 * Runs `work` on the database of `npm run dev:postgres` (DATABASE_URL's, or the local one: used
 * if it runs, else started for this and stopped after), with the PostgreSQL migrations applied.
 */
export async function withPostgres<T>(work: (client: pg.Client, where: string) => Promise<T>): Promise<T> {
  const database = await openDevPostgres();
  try {
    await applyPostgresMigrations(database.url);
    const client = await connectPostgres(database.url);
    try {
      return await work(client, database.where);
    } finally {
      await client.end();
    }
  } finally {
    await database.stop();
  }
}

/** Runs `work` in one transaction: committed when it returns, rolled back when it throws. */
export async function inTransaction<T>(client: pg.Client, work: () => Promise<T>): Promise<T> {
  await client.query("begin");
  try {
    const result = await work();
    await client.query("commit");
    return result;
  } catch (error) {
    await client.query("rollback");
    throw error;
  }
}
