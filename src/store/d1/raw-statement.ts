/**
 * Statements written out in SQL (`db.all(sql...)`, `db.run(sql...)`) as items of `db.batch`.
 * Drizzle's D1 batch binds a raw query's parameters on the prepared statement it keeps for its
 * builder's queries, which a raw query does not have (it throws on `stmt.bind`): this gives the
 * batch that statement, and maps the batch's result as Drizzle maps `all` (the rows) or `run`
 * (D1's result, with `meta.changes`).
 */
import type { SQL } from "drizzle-orm";
import type { Database } from "./client";

function batchable<Q extends { getQuery(): { sql: string; params: unknown[] } }>(db: Database, query: Q, map: (result: D1Result) => unknown): Q {
  const { sql, params } = query.getQuery();
  const stmt = db.$client.prepare(sql);
  const item = { stmt, getQuery: () => ({ sql, params }), mapResult: (result: D1Result, isFromBatch?: boolean) => (isFromBatch ? map(result) : result) };
  return Object.assign(query, { _prepare: () => item });
}

/** `db.all(query)`, usable in a batch: the rows, as objects named by their columns. */
export const rawRows = <T>(db: Database, query: SQL) => batchable(db, db.all<T>(query), (result) => result.results);

/** `db.run(query)`, usable in a batch: D1's result. */
export const rawRun = (db: Database, query: SQL) => batchable(db, db.run(query), (result) => result);
