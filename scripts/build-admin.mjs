// Builds the admin console into the Worker's static assets (public/admin/): its TypeScript
// bundled by esbuild, its page and styles copied. Runs on npm install and before npm run dev.
import { copyFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { buildSync } from "esbuild";

const root = join(import.meta.dirname, "..");
const target = join(root, "public", "admin");
mkdirSync(target, { recursive: true });
buildSync({ entryPoints: [join(root, "admin", "console.ts")], bundle: true, format: "esm", target: "es2022", minify: false, outfile: join(target, "console.js"), logLevel: "warning" });
for (const file of ["index.html", "console.css", "favicon.svg"]) copyFileSync(join(root, "admin", file), join(target, file));
