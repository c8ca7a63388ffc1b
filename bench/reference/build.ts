/** Bundles the reference worker with esbuild (as wrangler would: ESM, minified like the project's bundle). */
import { buildSync } from "esbuild";

export const REFERENCE_SCRIPT = "bench/.reference/index.js";

export function buildReference(): string {
  buildSync({ entryPoints: ["bench/reference/worker.ts"], bundle: true, format: "esm", platform: "neutral", target: "es2022", outfile: REFERENCE_SCRIPT, logLevel: "error" });
  return REFERENCE_SCRIPT;
}
