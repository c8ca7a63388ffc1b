/**
 * Raw SQL on this test file's database, whichever engine serves it (D1, or PostgreSQL through
 * the HYPERDRIVE binding): `?` placeholders; rows in D1's shapes (booleans as 0/1, timestamps as
 * milliseconds, counts as numbers) so one assertion holds on both. Pass timestamps as `Date`s.
 */
import { env } from "cloudflare:workers";
import type { SQL } from "drizzle-orm";
import pg from "pg";

export type Engine = "d1" | "postgres";
export const ENGINE: Engine = env.HYPERDRIVE ? "postgres" : "d1";

type Param = string | number | boolean | null | Date;
type Row = Record<string, unknown>;

const INT8 = 20;
const NUMERIC = 1700;

function d1Param(value: Param): unknown {
  if (value instanceof Date) return value.getTime();
  if (typeof value === "boolean") return value ? 1 : 0;
  return value;
}

/** PostgreSQL's values in D1's shapes. */
function d1Value(value: unknown): unknown {
  if (typeof value === "boolean") return value ? 1 : 0;
  if (value instanceof Date) return value.getTime();
  return value;
}

async function postgres(query: string, params: Param[]): Promise<Row[]> {
  let index = 0;
  // `?` (the next parameter) and SQLite's numbered `?NNN` (that parameter again).
  const text = query.replace(/\?(\d+)?/g, (_, number?: string) => `$${number ?? ++index}`);
  // A client per query: the binding's connection string names this file's database. Closed
  // after it (a file's queries would otherwise hold connections to its end), with an error
  // listener (without one, the socket's end is an unhandled "Stream was cancelled").
  const client = new pg.Client({
    connectionString: env.HYPERDRIVE!.connectionString,
    types: { getTypeParser: (oid: number, format?: string) => (oid === INT8 || oid === NUMERIC ? Number : pg.types.getTypeParser(oid, format as "text")) },
  });
  client.on("error", () => {});
  await client.connect();
  try {
    const result = await client.query(text, params);
    return result.rows.map((row: Row) => Object.fromEntries(Object.entries(row).map(([key, value]) => [key, d1Value(value)])));
  } finally {
    await client.end();
  }
}

/** Every row `query` answers. */
export async function dbRows<T = Row>(query: string, ...params: Param[]): Promise<T[]> {
  if (ENGINE === "postgres") return (await postgres(query, params)) as T[];
  const { results } = await env.DB.prepare(query).bind(...params.map(d1Param)).all<T>();
  return results;
}

/** The first row `query` answers, or null (as D1's `first()`). */
export async function dbRow<T = Row>(query: string, ...params: Param[]): Promise<T | null> {
  return (await dbRows<T>(query, ...params))[0] ?? null;
}

/** Runs a statement. */
export async function dbRun(query: string, ...params: Param[]): Promise<void> {
  await dbRows(query, ...params);
}

/** Every row `query` answers, as D1's `all()` shapes them (`{ results }`). */
export async function dbAll<T = Row>(query: string, ...params: Param[]): Promise<{ results: T[] }> {
  return { results: await dbRows<T>(query, ...params) };
}

/** A Drizzle client of this file's database on its engine (for tests of how failing queries are reported). */
export async function engineDrizzle(): Promise<{ execute(query: SQL): Promise<unknown> }> {
  if (ENGINE === "d1") {
    const { drizzle } = await import("drizzle-orm/d1");
    const db = drizzle(env.DB);
    return { execute: (query) => db.run(query) };
  }
  const { drizzle } = await import("drizzle-orm/node-postgres");
  const client = new pg.Client({ connectionString: env.HYPERDRIVE!.connectionString });
  await client.connect();
  return drizzle({ client });
}
