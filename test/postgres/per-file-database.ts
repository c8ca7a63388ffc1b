/**
 * Gives this test file a database of its own, cloned from the migrated template (as D1 storage is
 * isolated per test file), and points the Worker's HYPERDRIVE binding at it. The binding is read
 * per request, so every request of this file, however it reaches the Worker, uses that database.
 */
// As in test/apply-migrations.ts (the D1 project's setup): importing cloudflare:test loads the
// Worker's main module first (argon2's wasm is loaded there), which unit tests such as
// test/passwords.test.ts rely on.
import "cloudflare:test";
import { env } from "cloudflare:workers";
import pg from "pg";
import { TEMPLATE_DATABASE } from "./template";

const admin = new pg.Client({ connectionString: env.HYPERDRIVE!.connectionString });
// Without a listener, the socket's end (workerd cancels its stream) is an 'error' event nobody
// handles, reported as an unhandled "Stream was cancelled".
admin.on("error", () => {});
await admin.connect();
const name = `test_${crypto.randomUUID().replaceAll("-", "")}`;
await admin.query(`create database ${name} template ${TEMPLATE_DATABASE}`);
await admin.end();

const url = new URL(env.HYPERDRIVE!.connectionString);
url.pathname = `/${name}`;
(env as unknown as { HYPERDRIVE: Pick<Hyperdrive, "connectionString"> }).HYPERDRIVE = { connectionString: url.toString() };
