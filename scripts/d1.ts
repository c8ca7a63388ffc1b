/** Runs SQL on the project's D1 database through wrangler: local state by default, the deployed one with `remote`. */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { applyLocalMigrations, quietEnv } from "./local-setup.mjs";

export interface D1Target {
  remote: boolean;
  /** Local state directory other than wrangler's default (.wrangler/state); for tests. */
  persistTo?: string;
}

function targetArgs(target: D1Target): string[] {
  if (target.remote) return ["--remote"];
  return target.persistTo ? ["--local", "--persist-to", target.persistTo] : ["--local"];
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

/** Brings the local database up to date (the deployed one is migrated by `migrations apply --remote`). */
export function prepareTarget(target: D1Target): void {
  if (!target.remote) applyLocalMigrations(target.persistTo);
}

/** Executes `sql` (one or more statements, run as one file); returns wrangler's combined output. */
export function executeSql(sql: string, target: D1Target): { ok: boolean; output: string } {
  // The file may hold password hashes: private to this user, removed at once.
  const dir = mkdtempSync(join(tmpdir(), "d1-"));
  const file = join(dir, "statements.sql");
  try {
    writeFileSync(file, sql, { mode: 0o600 });
    const result = spawnSync(
      "npx",
      ["wrangler", "d1", "execute", "DB", ...targetArgs(target), "--file", file, "--yes"],
      { env: quietEnv, encoding: "utf8" },
    );
    return { ok: result.status === 0, output: `${result.stdout}\n${result.stderr}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs one or more queries and returns each one's rows (wrangler's --json output). */
export function queryResults(sql: string, target: D1Target): unknown[][] {
  const result = spawnSync(
    "npx",
    ["wrangler", "d1", "execute", "DB", ...targetArgs(target), "--command", sql, "--json"],
    // A page of rows can pass spawnSync's default of 1 MiB of output.
    { env: quietEnv, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 },
  );
  if (result.status !== 0) throw new Error(`wrangler d1 execute failed:\n${result.stderr || result.stdout}`);
  const parsed = JSON.parse(result.stdout) as { results: unknown[] }[];
  return parsed.map((entry) => entry.results);
}
