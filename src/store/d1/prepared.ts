/**
 * Statements whose SQL Drizzle builds once per isolate. Drizzle builds a query's SQL anew on every
 * call, and for the statement every protected request runs (the caller guard, which reads the
 * caller's row) that building was a third of a request's CPU in workerd (a CPU profile of
 * profile GET under load). A `PreparedStatement` is built once with `sql.placeholder`s; `bind`
 * gives, for this request's database, an item that Drizzle's `db.batch` runs and maps exactly as
 * it runs the query itself. Selects only, with the fields Drizzle knows (`select()` or
 * `select({...})`): awaited alone, a bound statement maps rows as arrays by those fields.
 */
import { fillPlaceholders } from "drizzle-orm";
import type { SQLitePreparedQuery } from "drizzle-orm/sqlite-core";
import { type Database, createDatabase } from "./client";

/** What Drizzle's D1 batch asks of each item: `_prepare()`, then the prepared query's statement, SQL, params and row mapping. */
interface BatchablePrepared {
  stmt: D1PreparedStatement;
  getQuery(): { sql: string; params: unknown[] };
  mapResult(result: unknown, isFromBatch?: boolean): unknown;
}

// Never executed: building and preparing only needs a client to hand the SQL to.
const builder = createDatabase({ prepare: () => ({}) } as unknown as D1Database);

export class PreparedStatement<Query extends { prepare(): unknown }, Values extends Record<string, unknown>> {
  private prepared?: SQLitePreparedQuery<never>;

  constructor(private readonly build: (db: Database) => Query) {}

  /** The statement with `values` for its placeholders, as an item of `db.batch` on `db` (typed as the query it stands for). */
  bind(db: Database, values: Values): Query {
    const prepared = (this.prepared ??= this.build(builder).prepare() as SQLitePreparedQuery<never>);
    const { sql, params } = prepared.getQuery();
    const filled = fillPlaceholders(params, values);
    const item: BatchablePrepared = {
      stmt: db.$client.prepare(sql),
      getQuery: () => ({ sql, params: filled }),
      mapResult: (result, isFromBatch) => prepared.mapResult(result, isFromBatch),
    };
    // Awaited alone (outside a batch), it runs as Drizzle runs a select alone: rows as arrays,
    // mapped by the selection (a batch of one would cost D1 the same round trip and more work).
    const bound = {
      _prepare: () => item,
      then: (resolve: (rows: unknown) => unknown, reject: (error: unknown) => unknown) =>
        item.stmt.bind(...filled).raw().then((rows) => prepared.mapResult(rows, false)).then(resolve, reject),
    };
    return bound as unknown as Query;
  }
}

