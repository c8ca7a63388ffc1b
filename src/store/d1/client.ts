/** The Drizzle handle every data-access function takes. */
import { drizzle } from "drizzle-orm/d1";


/**
 * A database or a D1 session (read replication: see src/db/session.ts). Drizzle only calls
 * `prepare` and `batch`, which sessions have.
 */
export function createDatabase(d1: D1Database | D1DatabaseSession) {
  return drizzle(d1 as D1Database);
}

export type Database = ReturnType<typeof createDatabase>;
