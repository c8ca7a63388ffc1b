// Lets Node scripts import the project's Worker code unchanged: `.wasm` and `.gz` imports become
// what wrangler makes of them (a WebAssembly.Module, an ArrayBuffer). Use: node --import tsx --import ./scripts/worker-modules.mjs
import { register } from "node:module";

register("./worker-modules-hooks.mjs", import.meta.url);
