// `npm run serve`: builds the bundle and serves it with Miniflare on http://127.0.0.1:8787, with
// the same local D1/KV/R2 state as `npm run dev`. Faster than wrangler dev (no proxy, no rebuilds).
import { applyLocalMigrations, ensureDevVars } from "./local-setup.mjs";
import { buildBundle, startLocalWorker } from "./local-worker.mjs";

ensureDevVars();
applyLocalMigrations();
buildBundle();
const port = Number(process.env.PORT ?? 8787);
const worker = await startLocalWorker({ port });
console.log(`Serving the built Worker on ${worker.url} (Miniflare, state in .wrangler/state/v3). Ctrl-C stops.`);
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, async () => {
    await worker.stop();
    process.exit(0);
  });
}
