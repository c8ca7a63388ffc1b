// Copies Swagger UI's files from node_modules into the static assets (public/docs-assets/vendor),
// so /api/docs/ is served by the Worker itself and works offline. Runs after npm install.
import { copyFileSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const require = createRequire(import.meta.url);
const source = dirname(require.resolve("swagger-ui-dist/package.json"));
const target = join(import.meta.dirname, "..", "public", "docs-assets", "vendor");
mkdirSync(target, { recursive: true });
for (const file of ["swagger-ui-bundle.js", "swagger-ui.css", "LICENSE", "NOTICE"]) copyFileSync(join(source, file), join(target, file));
