/**
 * Reads a D1 database through wrangler (`d1 execute --json`, local state or --remote alike): its
 * tables and columns as D1 itself has them, row counts, AUTOINCREMENT counters, and a table in
 * pages ordered by primary key (keyset: each page starts after the last key of the one before,
 * so a page costs the same wherever it is, and only one page is ever held in memory).
 */
import { type D1Target, queryResults } from "../d1";
import type { Value } from "../postgres/rows";

export interface D1Table {
  name: string;
  columns: string[];
  /** The primary key's columns, in key order. */
  key: string[];
}

export type Row = Record<string, Value>;
export type Key = (string | number)[];

/** D1's and SQLite's own tables, and wrangler's record of applied migrations: not data. */
const internal = (name: string) => name.startsWith("sqlite_") || name.startsWith("_cf_") || name === "d1_migrations";

const ident = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** A key value in SQL: an integer as it is, text as a hex blob cast back (no quoting of data at all). */
function keyLiteral(value: string | number): string {
  if (typeof value === "number") {
    if (!Number.isSafeInteger(value)) throw new Error(`primary key value beyond safe integers: ${value}`);
    return String(value);
  }
  return `CAST(X'${Buffer.from(value, "utf8").toString("hex")}' AS TEXT)`;
}

export function readTables(target: D1Target): D1Table[] {
  const [tables] = queryResults("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name", target) as [{ name: string }[]];
  const names = tables.map((table) => table.name).filter((name) => !internal(name));
  if (names.length === 0) return [];
  const infos = queryResults(names.map((name) => `PRAGMA table_info(${ident(name)})`).join("; "), target) as { name: string; pk: number }[][];
  return names.map((name, index) => {
    const info = infos[index]!;
    const key = info.filter((column) => column.pk > 0).sort((a, b) => a.pk - b.pk).map((column) => column.name);
    if (key.length === 0) throw new Error(`D1's table ${name} has no primary key to page by`);
    return { name, columns: info.map((column) => column.name), key };
  });
}

export function countRows(tables: D1Table[], target: D1Target): Record<string, number> {
  if (tables.length === 0) return {};
  const results = queryResults(tables.map((table) => `SELECT count(*) AS n FROM ${ident(table.name)}`).join("; "), target) as { n: number }[][];
  return Object.fromEntries(tables.map((table, index) => [table.name, results[index]![0]!.n]));
}

/** AUTOINCREMENT's counters (sqlite_sequence): ids handed out once, never to be handed out again. */
export function readAutoincrements(target: D1Target): Record<string, number> {
  const [rows] = queryResults("SELECT name, seq FROM sqlite_sequence", target) as [{ name: string; seq: number }[]];
  return Object.fromEntries(rows.filter((row) => !internal(row.name)).map((row) => [row.name, row.seq]));
}

/** Up to `limit` rows of `columns`, in primary-key order, after `after` (from the start when null). */
export function readPage(table: D1Table, columns: string[], after: Key | null, limit: number, target: D1Target): Row[] {
  const key = table.key.map(ident).join(", ");
  const where = after ? ` WHERE (${key}) > (${after.map(keyLiteral).join(", ")})` : "";
  const sql = `SELECT ${columns.map(ident).join(", ")} FROM ${ident(table.name)}${where} ORDER BY ${key} LIMIT ${limit}`;
  return queryResults(sql, target)[0] as Row[];
}

export const keyOf = (table: D1Table, row: Row): Key => table.key.map((column) => row[column] as string | number);
