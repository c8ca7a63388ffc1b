// `npm run dev`: the API on http://127.0.0.1:8787 with local D1, KV and R2.
import { spawn, spawnSync } from "node:child_process";
import { applyLocalMigrations, ensureDevVars, quietEnv } from "./local-setup.mjs";

ensureDevVars();
// The admin console's assets (also built by npm install); rebuilt so edits to admin/ show up.
spawnSync(process.execPath, ["scripts/build-admin.mjs"], { stdio: "inherit" });
applyLocalMigrations();
const dev = spawn("npx", ["wrangler", "dev", "--ip", "127.0.0.1", "--port", "8787", ...process.argv.slice(2)], {
  stdio: "inherit",
  env: quietEnv,
});
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => dev.kill(signal));
dev.on("exit", (code) => process.exit(code ?? 0));
