/**
 * Writes rows in the D1 schema's representation (times as milliseconds, booleans as true/false
 * or 0/1) into PostgreSQL tables, converting by what the PostgreSQL schema says each column is.
 * A page of rows is one parameterised statement (an array per column, unnested): no values in
 * the SQL text, and a fixed number of parameters whatever the page's size.
 */
import type pg from "pg";

export interface PostgresColumn {
  name: string;
  /** As `format_type` writes it, e.g. `bigint`, `timestamp(3) with time zone`. */
  type: string;
}

export type Value = string | number | boolean | null;

/** The columns of `table` in the current schema, in table order. */
export async function columnsOf(client: pg.Client, table: string): Promise<PostgresColumn[]> {
  const { rows } = await client.query<PostgresColumn>(
    `select a.attname as name, format_type(a.atttypid, a.atttypmod) as type
       from pg_attribute a
      where a.attrelid = to_regclass(quote_ident(current_schema()) || '.' || quote_ident($1))
        and a.attnum > 0 and not a.attisdropped
      order by a.attnum`,
    [table],
  );
  return rows;
}

/** One value, from D1's representation to what PostgreSQL's column takes. */
export function toPostgres(value: Value, column: PostgresColumn, table: string): Value {
  if (value === null) return null;
  const where = `${table}.${column.name}`;
  if (column.type.startsWith("timestamp")) {
    if (typeof value !== "number" || !Number.isFinite(value)) throw new Error(`${where}: ${JSON.stringify(value)} is not a time in milliseconds`);
    return new Date(value).toISOString();
  }
  if (column.type === "boolean") {
    if (value === true || value === 1) return true;
    if (value === false || value === 0) return false;
    throw new Error(`${where}: ${JSON.stringify(value)} is not a boolean (0 or 1)`);
  }
  if (["bigint", "integer", "smallint"].includes(column.type)) {
    if (typeof value !== "number" || !Number.isSafeInteger(value)) throw new Error(`${where}: ${JSON.stringify(value)} is not an integer`);
    return value;
  }
  if (column.type === "text" || column.type.startsWith("character varying")) return typeof value === "string" ? value : String(value);
  throw new Error(`${where}: no conversion into PostgreSQL's ${column.type}`);
}

/**
 * Inserts `rows` (objects keyed by column name; every row has the same keys) into `table`;
 * `tail` is appended as it is (e.g. `on conflict do nothing returning id`).
 */
export async function insertRows<R extends pg.QueryResultRow = Record<string, unknown>>(
  client: pg.Client,
  table: string,
  columns: PostgresColumn[],
  rows: Record<string, Value>[],
  tail = "",
): Promise<R[]> {
  if (rows.length === 0) return [];
  const names = Object.keys(rows[0]!);
  const used = names.map((name) => {
    const column = columns.find((candidate) => candidate.name === name);
    if (!column) throw new Error(`PostgreSQL's ${table} has no column ${name}`);
    return column;
  });
  const arrays = used.map((column) => rows.map((row) => toPostgres(row[column.name] ?? null, column, table)));
  const ident = (name: string) => client.escapeIdentifier(name);
  // Types come from PostgreSQL's catalog, names are quoted: only the values are data, and they are parameters.
  const unnest = used.map((column, index) => `$${index + 1}::${column.type}[]`).join(", ");
  const result = await client.query<R>(
    `insert into ${ident(table)} (${used.map((column) => ident(column.name)).join(", ")}) select * from unnest(${unnest}) ${tail}`,
    arrays,
  );
  return result.rows;
}
