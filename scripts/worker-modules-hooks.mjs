// Module hooks for scripts/worker-modules.mjs.
export async function load(url, context, nextLoad) {
  if (url.endsWith(".wasm")) {
    return {
      format: "module",
      shortCircuit: true,
      source: `import { readFileSync } from "node:fs"; export default new WebAssembly.Module(readFileSync(new URL(${JSON.stringify(url)})));`,
    };
  }
  if (url.endsWith(".gz")) {
    return {
      format: "module",
      shortCircuit: true,
      source: `import { readFileSync } from "node:fs"; const b = readFileSync(new URL(${JSON.stringify(url)})); export default b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength);`,
    };
  }
  return nextLoad(url, context);
}
