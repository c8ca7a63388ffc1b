import path from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";
import { freePort } from "./scripts/postgres/local.mjs";
import { API_ORIGIN, APP_PAGE, GITHUB_CLIENT, NATIVE_APP_PAGE, OIDC_CLIENT } from "./test/oauth/fixtures";

// Every variable is set here so a developer's .dev.vars never changes what tests see.
const bindings = {
  JWT_SECRET: "test-signing-secret-0123456789abcdef",
  JWT_SECRETS_PREVIOUS: "",
  JWT_ALGORITHM: "HS256",
  PUBLIC_URL: API_ORIGIN,
  EMAIL_FROM: "no-reply@api.test",
  PASSWORD_RESET_TIMEOUT: "3600",
  EMAIL_VERIFICATION: "none",
  THROTTLE_EMAIL: "1000/3600",
  ACCESS_TOKEN_LIFETIME: "300",
  REFRESH_TOKEN_LIFETIME: "86400",
  CORS_ORIGINS: "https://app.example",
  SERVER_TIMING: "1",
  // Generous: every request of a test file comes from one address. Throttling tests set their own.
  THROTTLE_LOGIN_USER_ADDRESS: "1000/900",
  THROTTLE_LOGIN_USER: "1000/900",
  THROTTLE_LOGIN_ADDRESS: "1000/900",
  THROTTLE_PASSWORD_CHECK: "1000/900",
  THROTTLE_REGISTER_ADDRESS: "1000/3600",
  // Reuse is theft at once, unless a test sets the grace (tokens.test.ts).
  REFRESH_REUSE_GRACE: "0",
  // Per user: each test has its own users.
  THROTTLE_MFA: "5/900",
  // Turnstile stays off (no TURNSTILE_SECRET_KEY) unless a test turns it on (test/turnstile.test.ts).
};

// Tests about D1 itself, not run on PostgreSQL (everything about the contract runs on both):
const D1_ONLY = [
  // D1's prepared statements bound per request and run in its batches (src/store/d1).
  "test/prepared.test.ts",
  // The rows D1 reads (what it bills): its `meta.rows_read`, per statement and per response.
  "test/d1-reads.test.ts",
  // D1's Sessions API: the x-d1-bookmark a client sends back to read its own writes on replicas.
  "test/d1-sessions.test.ts",
];

// `pg` in workerd: two of its packages resolve to files the pool cannot load (node-postgres #3700).
const pgAliases = [
  { find: /^pg-protocol$/, replacement: path.join(import.meta.dirname, "node_modules/pg-protocol/dist/index.js") },
  { find: /^pg-cloudflare$/, replacement: path.join(import.meta.dirname, "node_modules/pg-cloudflare/dist/index.js") },
];

// Three projects: the contract's tests inside workerd on each storage engine, with real local D1,
// KV and R2 (isolated per test file), and on PostgreSQL (a database per test file, cloned from
// one migrated at start); and "node", which drives the built Worker from outside (scripts, the
// OpenAPI validator, Chromium).
export default defineConfig(async () => {
  const migrations = await readD1Migrations(path.join(import.meta.dirname, "migrations", "d1"));
  // The PostgreSQL the global setup starts (test/postgres/global-setup.ts), on a port known now.
  process.env.TEST_POSTGRES_PORT ??= String(await freePort());
  const postgresAdminUrl = `postgres://postgres:postgres@127.0.0.1:${process.env.TEST_POSTGRES_PORT}/postgres`;
  // The identity servers of the social-login tests (test/oauth/servers.ts), and the Worker's settings for them.
  process.env.TEST_OIDC_PORT ??= String(await freePort());
  process.env.TEST_GITHUB_PORT ??= String(await freePort());
  const socialLogin = {
    OIDC_PROVIDERS: JSON.stringify([{ id: "local", issuer: `http://127.0.0.1:${process.env.TEST_OIDC_PORT}`, client_id: OIDC_CLIENT.id, client_secret: OIDC_CLIENT.secret }]),
    OAUTH_GITHUB_CLIENT_ID: GITHUB_CLIENT.id,
    OAUTH_GITHUB_CLIENT_SECRET: GITHUB_CLIENT.secret,
    OAUTH_GITHUB_URL: `http://127.0.0.1:${process.env.TEST_GITHUB_PORT}`,
    OAUTH_REDIRECT_URLS: `${APP_PAGE},${NATIVE_APP_PAGE}`,
  };
  // The local Turnstile siteverify (test/siteverify/global-setup.ts), shared by both engines' projects.
  process.env.TEST_SITEVERIFY_PORT ??= String(await freePort());
  const testBindings = { ...bindings, TEST_SITEVERIFY_URL: `http://127.0.0.1:${process.env.TEST_SITEVERIFY_PORT}` };
  return {
    resolve: { alias: pgAliases },
    test: {
      // The Worker logs a JSON line per request; show logs only for failing tests.
      silent: "passed-only" as const,
      projects: [
        {
          plugins: [
            cloudflareTest({
              main: "./src/index.ts",
              wrangler: { configPath: "./wrangler.toml" },
              miniflare: { bindings: { ...testBindings, ...socialLogin, TEST_MIGRATIONS: migrations } },
            }),
          ],
          resolve: { alias: pgAliases },
          test: {
            name: "d1",
            globalSetup: ["./test/siteverify/global-setup.ts", "./test/oauth/servers.ts"],
            setupFiles: ["./test/apply-migrations.ts"],
            include: ["test/*.test.ts"],
            testTimeout: 30_000,
          },
        },
        {
          plugins: [
            cloudflareTest({
              main: "./src/index.ts",
              wrangler: { configPath: "./wrangler.toml" },
              // The binding names the server's admin database; each test file gets its own (test/postgres/per-file-database.ts).
              miniflare: { bindings: { ...testBindings, ...socialLogin }, hyperdrives: { HYPERDRIVE: postgresAdminUrl } },
            }),
          ],
          resolve: { alias: pgAliases },
          test: {
            name: "postgres",
            globalSetup: ["./test/postgres/global-setup.ts", "./test/siteverify/global-setup.ts", "./test/oauth/servers.ts"],
            setupFiles: ["./test/postgres/per-file-database.ts"],
            // The contract's tests, and the PostgreSQL engine's own (store-level, PostgreSQL only).
            include: ["test/*.test.ts", "test/postgres/*.test.ts"],
            exclude: D1_ONLY,
            testTimeout: 30_000,
          },
        },
        {
          test: {
            name: "node",
            environment: "node",
            include: ["test/node/*.test.ts"],
            globalSetup: ["./test/node/build-bundle.ts"],
            testTimeout: 120_000,
            hookTimeout: 120_000,
            // Each file starts its own Worker; running them one at a time keeps CPU for the Worker.
            fileParallelism: false,
          },
        },
      ],
    },
  };
});
