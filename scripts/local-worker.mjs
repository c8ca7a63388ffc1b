// Runs the built bundle (wrangler's dry-run output) on Miniflare's API: the production-like local
// runtime, without wrangler dev's proxy. Used by `npm run serve`, the benchmark and the Node tests.
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
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
 * Static assets the way Cloudflare serves them (`_headers`, html handling), in a worker of their
 * own that Miniflare's router picks only for paths under public/'s entries; a path there that is
 * no asset falls through to the API, as an asset miss does in production. Miniflare's own
 * `assets` option would instead send *every* request through its asset router and asset worker
 * first: two extra workers per API request, which measured at a third of the API's speed.
 */
const STATIC_WORKER = `export default {
  async fetch(request, env) {
    const asset = await env.ASSETS.fetch(request);
    return asset.status === 404 ? env.API.fetch(request) : asset;
  },
};`;

function assetRoutes(directory) {
  return readdirSync(directory, { withFileTypes: true })
    .filter((entry) => !entry.name.startsWith("_")) // _headers, _redirects: configuration, not assets
    .flatMap((entry) => (entry.isDirectory() ? [`*/${entry.name}`, `*/${entry.name}/*`] : [`*/${entry.name}`]));
}

/**
 * Worker options. "serve": every binding of wrangler.toml and the static assets beside the API.
 * "minimal": only the variables, D1/KV/R2, mail and the feed's queue with its consumer (the
 * bindings the API's routes use), and HYPERDRIVE when given, no assets, no cron: the benchmark's
 * yardstick for what `serve` adds, and how it serves the plain reference worker.
 */
function workersFor(shape, { scriptPath, vars, name, hyperdrive }) {
  const { workerOptions } = unstable_getMiniflareWorkerOptions("wrangler.toml");
  const { assets, ...withoutAssets } = workerOptions;
  const script = { name, modules: true, scriptPath: resolve(scriptPath), modulesRoot: resolve(scriptPath, "..") };
  const bindings = { ...workerOptions.bindings, ...vars };
  const hyperdrives = hyperdrive ? { hyperdrives: { HYPERDRIVE: hyperdrive } } : {};
  if (shape === "minimal") {
    const { compatibilityDate, compatibilityFlags, modulesRules, d1Databases, kvNamespaces, r2Buckets, email, queueProducers, queueConsumers } = workerOptions;
    return [{ ...script, compatibilityDate, compatibilityFlags, modulesRules, bindings, d1Databases, kvNamespaces, r2Buckets, email, queueProducers, queueConsumers, ...hyperdrives }];
  }
  const api = { ...withoutAssets, ...script, bindings, routes: ["*/*"], ...hyperdrives };
  const statics = {
    name: `${name}-assets`,
    modules: true,
    script: STATIC_WORKER,
    compatibilityDate: workerOptions.compatibilityDate,
    assets: { directory: assets.directory, binding: "ASSETS" },
    serviceBindings: { API: name },
    routes: assetRoutes(assets.directory),
  };
  return [api, statics];
}

/**
 * Starts a bundle (dist/index.js by default) on 127.0.0.1:`port` with the bindings of
 * wrangler.toml (and .dev.vars), persisting D1/KV/R2 under `persistRoot`; `vars` override
 * variables; `quiet` drops the Worker's stdout (its request log), otherwise it is copied to this
 * process's stdout as it comes (Miniflare's default re-prints it line by line through readline,
 * which costs the Worker measurably under load). `hyperdrive`: a PostgreSQL URL given to the
 * Worker as its HYPERDRIVE binding (which selects the PostgreSQL engine); the process must have
 * loaded scripts/postgres/proxy-reset-guard.mjs.
 * @param {{ port?: number; persistRoot?: string; vars?: Record<string, string>; scriptPath?: string; name?: string; shape?: string; quiet?: boolean; hyperdrive?: string }} [options]
 */
export async function startLocalWorker({
  port = 8787,
  persistRoot = DEV_STATE,
  vars = {},
  scriptPath = "dist/index.js",
  name = "social-media-api",
  shape = "serve",
  quiet = false,
  hyperdrive,
} = {}) {
  const miniflare = new Miniflare({
    workers: workersFor(shape, { scriptPath, vars, name, hyperdrive }),
    defaultPersistRoot: resolve(persistRoot),
    host: "127.0.0.1",
    port,
    cf: false,
    handleRuntimeStdio: (stdout, stderr) => {
      if (quiet) stdout.resume();
      else stdout.pipe(process.stdout);
      stderr.pipe(process.stderr);
    },
  });
  const url = await miniflare.ready;
  return { url: url.toString().replace(/\/$/, ""), miniflare, stop: () => miniflare.dispose() };
}
