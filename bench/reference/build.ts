/** Bundles the reference workers: the D1 one with esbuild (ESM, minified, as wrangler bundles the project), the PostgreSQL one with wrangler (pg needs its nodejs_compat bundling). */
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { buildSync } from "esbuild";
import { quietEnv } from "../../scripts/local-setup.mjs";

export const REFERENCE_SCRIPT = "bench/.reference/index.js";
const POSTGRES_DIR = "bench/.reference/postgres";

export function buildReference(): string {
  buildSync({ entryPoints: ["bench/reference/worker.ts"], bundle: true, format: "esm", platform: "neutral", target: "es2022", minify: true, outfile: REFERENCE_SCRIPT, logLevel: "error" });
  return REFERENCE_SCRIPT;
}

/** The PostgreSQL reference worker, bundled by `wrangler deploy --dry-run` with the project's compatibility date and flags; answers its script's path. */
export function buildPostgresReference(): string {
  const project = readFileSync("wrangler.toml", "utf8");
  const line = (key: string) => new RegExp(`^${key} = .*$`, "m").exec(project)?.[0] ?? "";
  mkdirSync(POSTGRES_DIR, { recursive: true });
  const config = `${POSTGRES_DIR}/wrangler.toml`;
  writeFileSync(config, [`name = "reference-postgres"`, `main = ${JSON.stringify(resolve("bench/reference/postgres.ts"))}`, line("compatibility_date"), line("compatibility_flags"), "minify = true", ""].join("\n"));
  const result = spawnSync("npx", ["wrangler", "deploy", "--dry-run", "--config", config, "--outdir", resolve(POSTGRES_DIR, "dist")], { env: quietEnv, encoding: "utf8" });
  if (result.status !== 0) throw new Error(`wrangler deploy --dry-run (reference-postgres) failed:\n${result.stdout}\n${result.stderr}`);
  return `${POSTGRES_DIR}/dist/postgres.js`;
}
