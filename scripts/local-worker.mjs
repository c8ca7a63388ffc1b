// Runs the built bundle (wrangler's dry-run output) on Miniflare's API: the production-like local
// runtime, without wrangler dev's proxy. Used by `npm run serve`, the benchmark and the Node tests.
import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { Miniflare } from "miniflare";
import { unstable_getMiniflareWorkerOptions } from "wrangler";
import { quietEnv } from "./local-setup.mjs";

/** The state `npm run dev` uses, so `serve` sees the same users. */
export const DEV_STATE = ".wrangler/state/v3";

/** Bundles src/ exactly as `wrangler deploy` would, into dist/ (with esbuild's metafile); returns wrangler's output. */
export function buildBundle(outdir = "dist") {
  const args = ["wrangler", "deploy", "--dry-run", "--outdir", outdir, "--metafile", `${outdir}/meta.json`];
  const result = spawnSync("npx", args, { env: quietEnv, encoding: "utf8" });
  if (result.status !== 0) throw new Error(`wrangler deploy --dry-run failed:\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

/**
 * Starts the bundle in dist/ on 127.0.0.1:`port` with the bindings of wrangler.toml (and
 * .dev.vars), persisting D1/KV/R2 under `persistRoot`; `vars` override variables; `quiet` drops
 * the Worker's stdout (its request log).
 */
export async function startLocalWorker({ port = 8787, persistRoot = DEV_STATE, vars = {}, outdir = "dist", quiet = false } = {}) {
  const { workerOptions } = unstable_getMiniflareWorkerOptions("wrangler.toml");
  const miniflare = new Miniflare({
    ...workerOptions,
    name: "social-media-api",
    modules: true,
    scriptPath: resolve(outdir, "index.js"),
    modulesRoot: resolve(outdir),
    bindings: { ...workerOptions.bindings, ...vars },
    assets: { directory: resolve("public"), routerConfig: { has_user_worker: true } },
    defaultPersistRoot: resolve(persistRoot),
    host: "127.0.0.1",
    port,
    cf: false,
    // quiet: the Worker's per-request log lines are dropped (printing them costs more than serving).
    ...(quiet ? { handleRuntimeStdio: (stdout, stderr) => (stdout.resume(), stderr.pipe(process.stderr)) } : {}),
  });
  const url = await miniflare.ready;
  return { url: url.toString().replace(/\/$/, ""), miniflare, stop: () => miniflare.dispose() };
}
