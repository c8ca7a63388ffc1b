/** Bundles the reference worker with esbuild (ESM, minified, as wrangler bundles the project). */
import { buildSync } from "esbuild";

export const REFERENCE_SCRIPT = "bench/.reference/index.js";

export function buildReference(): string {
  buildSync({ entryPoints: ["bench/reference/worker.ts"], bundle: true, format: "esm", platform: "neutral", target: "es2022", minify: true, outfile: REFERENCE_SCRIPT, logLevel: "error" });
  return REFERENCE_SCRIPT;
}
