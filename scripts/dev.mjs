// `npm run dev`: the API on http://127.0.0.1:8787 with local D1, KV and R2.
import { spawnSync } from "node:child_process";
import { applyLocalMigrations, ensureDevVars } from "./local-setup.mjs";
import { runWranglerDev } from "./wrangler-dev.mjs";

ensureDevVars();
// The admin console's assets (also built by npm install); rebuilt so edits to admin/ show up.
spawnSync(process.execPath, ["scripts/build-admin.mjs"], { stdio: "inherit" });
applyLocalMigrations();
runWranglerDev({ args: process.argv.slice(2) });
