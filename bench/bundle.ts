/** The bundle's size as Cloudflare counts it (wrangler's "gzip:" figure) and what makes it up. */
import { readFileSync } from "node:fs";

export interface BundleReport {
  gzipKiB: number;
  totalKiB: number;
  /** Package (or "src") and its bytes in index.js, largest first. */
  parts: [string, number][];
}

export function bundleReport(wranglerOutput: string, metafile = "dist/meta.json"): BundleReport {
  const match = /Total Upload: ([\d.]+) KiB \/ gzip: ([\d.]+) KiB/.exec(wranglerOutput);
  const meta = JSON.parse(readFileSync(metafile, "utf8")) as {
    outputs: Record<string, { inputs: Record<string, { bytesInOutput: number }> }>;
  };
  const output = Object.entries(meta.outputs).find(([name]) => name.endsWith("index.js"))![1];
  const byPackage = new Map<string, number>();
  for (const [path, input] of Object.entries(output.inputs)) {
    const inModules = path.split("node_modules/").at(-1)!;
    const segments = inModules.split("/");
    const name = !path.includes("node_modules/") ? "src" : segments[0]!.startsWith("@") ? `${segments[0]}/${segments[1]}` : segments[0]!;
    byPackage.set(name, (byPackage.get(name) ?? 0) + input.bytesInOutput);
  }
  return {
    totalKiB: Number(match?.[1] ?? Number.NaN),
    gzipKiB: Number(match?.[2] ?? Number.NaN),
    parts: [...byPackage.entries()].sort((a, b) => b[1] - a[1]),
  };
}
