/** Runs SQL on the project's D1 database through wrangler: local state by default, the deployed one with `remote`. */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { applyLocalMigrations, quietEnv } from "./local-setup.mjs";

export interface D1Target {
  remote: boolean;
}

/** A SQL literal: strings quoted with '' doubled, numbers and null as they are. */
export function literal(value: string | number | boolean | null): string {
  if (value === null) return "NULL";
  if (typeof value === "boolean") return value ? "1" : "0";
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new Error(`not a finite number: ${value}`);
    return String(value);
  }
  return `'${value.replaceAll("'", "''")}'`;
}

/** Executes `sql` (one or more statements, run as one file); returns wrangler's combined output. */
export function executeSql(sql: string, target: D1Target): { ok: boolean; output: string } {
  if (!target.remote) applyLocalMigrations();
  // The file may hold password hashes: private to this user, removed at once.
  const dir = mkdtempSync(join(tmpdir(), "d1-"));
  const file = join(dir, "statements.sql");
  try {
    writeFileSync(file, sql, { mode: 0o600 });
    const result = spawnSync(
      "npx",
      ["wrangler", "d1", "execute", "DB", target.remote ? "--remote" : "--local", "--file", file, "--yes"],
      { env: quietEnv, encoding: "utf8" },
    );
    return { ok: result.status === 0, output: `${result.stdout}\n${result.stderr}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs one query and returns its rows (wrangler's --json output). */
export function queryRows<T>(sql: string, target: D1Target): T[] {
  if (!target.remote) applyLocalMigrations();
  const result = spawnSync(
    "npx",
    ["wrangler", "d1", "execute", "DB", target.remote ? "--remote" : "--local", "--command", sql, "--json"],
    { env: quietEnv, encoding: "utf8" },
  );
  if (result.status !== 0) throw new Error(`wrangler d1 execute failed:\n${result.stderr || result.stdout}`);
  const parsed = JSON.parse(result.stdout) as { results: T[] }[];
  return parsed.flatMap((entry) => entry.results);
}
