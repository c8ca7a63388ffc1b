// Prepares local development with no account and no prompt: .dev.vars with a random JWT_SECRET,
// and the migrations applied to the local D1 database (.wrangler/state).
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";

// No prompts, no metrics, and no look-up of Cloudflare's request.cf data (this machine may be offline).
// SUPERUSER_PASSWORD is never handed on to wrangler or any other child process.
const { SUPERUSER_PASSWORD: _password, ...inherited } = process.env;
export const quietEnv = { ...inherited, CI: "true", WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false" };

export function ensureDevVars() {
  if (existsSync(".dev.vars")) return;
  const example = readFileSync(".dev.vars.example", "utf8");
  const secret = randomBytes(48).toString("base64url");
  writeFileSync(".dev.vars", example.replace(/^JWT_SECRET=.*$/m, `JWT_SECRET=${secret}`), { mode: 0o600 });
  console.log("Created .dev.vars with a random development JWT_SECRET.");
}

/** Applies pending migrations to the local D1 database (wrangler's default state, or `persistTo`). */
export function applyLocalMigrations(persistTo) {
  const args = ["wrangler", "d1", "migrations", "apply", "DB", "--local", ...(persistTo ? ["--persist-to", persistTo] : [])];
  const result = spawnSync("npx", args, { stdio: ["ignore", "ignore", "inherit"], env: quietEnv });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
