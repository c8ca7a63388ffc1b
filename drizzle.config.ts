import { defineConfig } from "drizzle-kit";

// Generates SQL migrations offline, one folder per storage engine: `npm run db:generate` runs
// this config (D1: `wrangler d1 migrations apply` applies them) and the PostgreSQL one
// (scripts/postgres/drizzle.config.ts: applied by scripts/postgres/migrate.mjs).
export default defineConfig({
  dialect: "sqlite",
  schema: ["./src/store/d1/schema.ts", "./src/store/d1/social-schema.ts", "./src/store/d1/mfa-schema.ts", "./src/store/d1/oauth-schema.ts", "./src/store/d1/passkeys-schema.ts"],
  out: "./migrations/d1",
});
