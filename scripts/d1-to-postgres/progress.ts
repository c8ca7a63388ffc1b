/**
 * How far d1-to-postgres got, kept in the target database (schema d1_to_postgres, outside the
 * application's tables and migrations): per table, the primary key of the last row copied and
 * the rows copied. Each page of rows and its progress row are written in one transaction, so an
 * interrupted run resumes exactly after the last page that committed: nothing copied twice.
 */
import type pg from "pg";
import type { Key } from "./d1-source";

export interface Progress {
  source: string;
  lastKey: Key | null;
  copied: number;
}

export async function readProgress(client: pg.Client): Promise<Map<string, Progress>> {
  const { rows: exists } = await client.query<{ table: string | null }>("SELECT to_regclass('d1_to_postgres.progress')::text AS table");
  if (!exists[0]?.table) return new Map();
  const { rows } = await client.query<{ table_name: string; source: string; last_key: Key | null; copied: number }>(
    "SELECT table_name, source, last_key, copied FROM d1_to_postgres.progress",
  );
  return new Map(rows.map((row) => [row.table_name, { source: row.source, lastKey: row.last_key, copied: row.copied }]));
}

export async function createProgress(client: pg.Client): Promise<void> {
  await client.query("CREATE SCHEMA IF NOT EXISTS d1_to_postgres");
  await client.query(
    `CREATE TABLE IF NOT EXISTS d1_to_postgres.progress (
       table_name text PRIMARY KEY,
       source text NOT NULL,
       last_key jsonb,
       copied bigint NOT NULL DEFAULT 0
     )`,
  );
}

/** Inside the page's transaction: the page's last key, and `rows` more copied. */
export async function recordPage(client: pg.Client, table: string, source: string, lastKey: Key, rows: number): Promise<void> {
  await client.query(
    `INSERT INTO d1_to_postgres.progress (table_name, source, last_key, copied) VALUES ($1, $2, $3::jsonb, $4)
     ON CONFLICT (table_name) DO UPDATE SET last_key = excluded.last_key, copied = d1_to_postgres.progress.copied + excluded.copied`,
    [table, source, JSON.stringify(lastKey), rows],
  );
}
