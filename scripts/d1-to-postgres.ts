/**
 * `npm run d1-to-postgres [-- --remote] [--page-size N]`: moves a deployment's data from D1 (the
 * local database, or the deployed one with --remote) into the PostgreSQL of DATABASE_URL:
 * every table and column D1 has, times from milliseconds to timestamptz and 0/1 to booleans
 * where the PostgreSQL schema says so, ids kept and the identity sequences moved on after them.
 * Resumable: re-run after an interruption, it continues after the last page that committed.
 * Ends with the rows per table in D1 and in PostgreSQL.
 */
import { parseArgs } from "node:util";
import type pg from "pg";
import type { D1Target } from "./d1";
import { findCollisions } from "./d1-to-postgres/collisions";
import { type D1Table, countRows, keyOf, readAutoincrements, readPage, readTables } from "./d1-to-postgres/d1-source";
import { createProgress, readProgress, recordPage } from "./d1-to-postgres/progress";
import { connectPostgres, inTransaction } from "./postgres/client";
import { applyPostgresMigrations } from "./postgres/migrate.mjs";
import { type PostgresColumn, columnsOf, insertRows } from "./postgres/rows";
import { moveSequencesOn } from "./postgres/sequences";

/** Text from the database, shown safely in a terminal: quoted, control characters escaped. */
const shown = (text: string) => JSON.stringify(text);

function fail(message: string, code = 1): never {
  console.error(message);
  process.exit(code);
}

const { values } = parseArgs({
  options: {
    remote: { type: "boolean", default: false },
    "page-size": { type: "string", default: "1000" },
    "persist-to": { type: "string" },
  },
});
const url = process.env.DATABASE_URL;
if (!url) fail("DATABASE_URL must name the PostgreSQL to move into (postgres://user:password@host:port/database).", 2);
const pageSize = Number(values["page-size"]);
if (!Number.isInteger(pageSize) || pageSize < 1) fail("--page-size: a positive integer.", 2);
const target: D1Target = { remote: values.remote ?? false, persistTo: values["persist-to"] };
const source = target.remote ? "remote D1" : "local D1";

/** Tables in an order where every table comes after the tables its foreign keys reference. */
async function parentsFirst(client: pg.Client, tables: D1Table[]): Promise<D1Table[]> {
  const { rows } = await client.query<{ child: string; parent: string }>(
    `SELECT c.relname AS child, p.relname AS parent
       FROM pg_constraint f JOIN pg_class c ON c.oid = f.conrelid JOIN pg_class p ON p.oid = f.confrelid
      WHERE f.contype = 'f' AND f.connamespace = current_schema()::regnamespace`,
  );
  const ordered: D1Table[] = [];
  const visit = (table: D1Table, path: Set<string>) => {
    if (ordered.includes(table) || path.has(table.name)) return;
    path.add(table.name);
    for (const { parent } of rows.filter((row) => row.child === table.name && row.parent !== table.name)) {
      const referenced = tables.find((candidate) => candidate.name === parent);
      if (referenced) visit(referenced, path);
    }
    ordered.push(table);
  };
  for (const table of tables) visit(table, new Set());
  return ordered;
}

/** The PostgreSQL columns of each D1 table; every D1 table and column must have one. */
async function targetColumns(client: pg.Client, tables: D1Table[]): Promise<Map<string, PostgresColumn[]>> {
  const columns = new Map<string, PostgresColumn[]>();
  const missing: string[] = [];
  for (const table of tables) {
    const found = await columnsOf(client, table.name);
    if (found.length === 0) missing.push(`table ${table.name}`);
    for (const column of table.columns) if (found.length > 0 && !found.some((candidate) => candidate.name === column)) missing.push(`column ${table.name}.${column}`);
    columns.set(table.name, found);
  }
  if (missing.length > 0) fail(`PostgreSQL has no ${missing.join(", ")} of D1's: its migrations are behind D1's (or D1 has tables of its own). Nothing was written.`);
  return columns;
}

function printCounts(tables: D1Table[], d1: Record<string, number>, postgres: Record<string, number>): boolean {
  const width = Math.max(5, ...tables.map((table) => table.name.length));
  console.log(`${"table".padEnd(width)}  ${"D1".padStart(10)}  ${"PostgreSQL".padStart(10)}`);
  for (const table of tables) {
    const mark = d1[table.name] === postgres[table.name] ? "" : "  differs";
    console.log(`${table.name.padEnd(width)}  ${String(d1[table.name]).padStart(10)}  ${String(postgres[table.name]).padStart(10)}${mark}`);
  }
  return tables.every((table) => d1[table.name] === postgres[table.name]);
}

async function postgresCounts(client: pg.Client, tables: D1Table[]): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of tables) {
    const { rows } = await client.query<{ n: number }>(`SELECT count(*) AS n FROM ${client.escapeIdentifier(table.name)}`);
    counts[table.name] = rows[0]!.n;
  }
  return counts;
}

await applyPostgresMigrations(url).catch((error: Error) => fail(`Could not apply the PostgreSQL migrations: ${error.message}`));
const client = await connectPostgres(url).catch((error: Error) => fail(`Could not connect to DATABASE_URL: ${error.message}`));
try {
  const tables = await parentsFirst(client, readTables(target));
  if (tables.length === 0) fail(`The ${source} database has no tables: nothing to move (is it migrated, or is --remote missing?).`);
  const columns = await targetColumns(client, tables);
  const total = countRows(tables, target);
  const progress = await readProgress(client);

  // Into an empty database, or one this command was moving the same source into.
  const other = [...progress.values()].find((entry) => entry.source !== source);
  if (other) fail(`This PostgreSQL database is being filled from the ${other.source} database, not the ${source} one: run with${other.source === "remote D1" ? "" : "out"} --remote to resume. Nothing was written.`);
  if (progress.size === 0) {
    const counts = await postgresCounts(client, tables);
    const filled = tables.filter((table) => counts[table.name]! > 0);
    if (filled.length > 0) {
      fail(`PostgreSQL already has rows that this command did not copy (${filled.map((table) => `${table.name}: ${counts[table.name]}`).join(", ")}): move into an empty database. Nothing was written.`);
    }
  } else {
    console.log(`Resuming the move from the ${source} database.`);
  }

  // Users that PostgreSQL's unique indexes would refuse: reported before anything is written.
  const users = tables.find((table) => table.name === "users");
  if (users) {
    const collisions = await findCollisions(client, users, progress.get("users")?.lastKey ?? null, pageSize, target);
    if (collisions.length > 0) {
      console.error(
        "Users that are different in D1 but the same to PostgreSQL, whose unique indexes compare lower(username) and lower(email) (SQLite's lower() folds ASCII letters only, PostgreSQL's folds every letter):",
      );
      for (const { field, ids, values: taken } of collisions) {
        // Usernames are public in this API; addresses are not, and are named by their users' ids only.
        if (field === "username") console.error(`  username ${taken.map((value, index) => `${shown(value)} (id ${ids[index]})`).join(", ")}`);
        else console.error(`  email of the users with ids ${ids.join(", ")}`);
      }
      fail("Nothing was written. Rename (or delete) all but one user of each line in D1, then run this again.");
    }
  }

  await createProgress(client);
  for (const table of tables) {
    const done = progress.get(table.name);
    let last = done?.lastKey ?? null;
    let copied = done?.copied ?? 0;
    if (copied > 0) console.log(`${table.name}: ${copied} rows copied before; continuing after them.`);
    for (;;) {
      const rows = readPage(table, table.columns, last, pageSize, target);
      if (rows.length > 0) {
        const lastKey = keyOf(table, rows.at(-1)!);
        try {
          await inTransaction(client, async () => {
            // A plain insert: a row already there means something else writes to this database, and stops the move.
            await insertRows(client, table.name, columns.get(table.name)!, rows);
            await recordPage(client, table.name, source, lastKey, rows.length);
          });
        } catch (error) {
          fail(`${table.name}: stopped after ${copied} rows: ${(error as Error).message}. Nothing of this page was written; fix the cause and run again to resume.`);
        }
        last = lastKey;
        copied += rows.length;
        console.log(`${table.name}: ${copied} of ${total[table.name]} rows copied.`);
      }
      if (rows.length < pageSize) break;
    }
  }

  // Past every id copied, and past ids D1's AUTOINCREMENT handed out to rows since deleted.
  let floors: Record<string, number> = {};
  try {
    floors = readAutoincrements(target);
  } catch (error) {
    console.log(`Warning: D1's AUTOINCREMENT counters could not be read (${(error as Error).message.trim()}): sequences continue after the highest id copied.`);
  }
  const moved = await moveSequencesOn(
    client,
    tables.map((table) => table.name),
    floors,
  );
  console.log(`Identity sequences moved on: ${Object.entries(moved).map(([table, value]) => `${table} after ${value}`).join(", ") || "none"}.`);

  console.log(`\nRows per table, ${source} and PostgreSQL:`);
  const same = printCounts(tables, countRows(tables, target), await postgresCounts(client, tables));
  if (!same) {
    fail("Some tables differ: D1 changed during the move (stop writes to it first), or PostgreSQL has rows of its own. Rows appended to D1 since are copied by running this again; changed or deleted ones are not.");
  }
  console.log("Every table has as many rows in PostgreSQL as in D1. The move is complete.");
} finally {
  await client.end();
}
