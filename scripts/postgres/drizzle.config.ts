import { defineConfig } from "drizzle-kit";

// The PostgreSQL engine's migrations (see ../../drizzle.config.ts for D1's).
export default defineConfig({
  dialect: "postgresql",
  schema: ["./src/store/postgres/schema.ts", "./src/store/postgres/social-schema.ts", "./src/store/postgres/mfa-schema.ts", "./src/store/postgres/oauth-schema.ts", "./src/store/postgres/passkeys-schema.ts"],
  out: "./migrations/postgres",
});
