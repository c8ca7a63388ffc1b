/** Starts the built Worker on Miniflare with a fresh state directory of its own. */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { quietEnv } from "../../scripts/local-setup.mjs";
import { startLocalWorker } from "../../scripts/local-worker.mjs";

export const TEST_SECRET = "node-test-signing-secret-0123456789abcdef";

export interface TestWorker {
  url: string;
  /** The wrangler state directory (for the scripts' --persist-to). */
  stateDir: string;
  /**
   * Stops the Worker while `work` writes to its database from another process (wrangler d1
   * execute), then starts it again: two processes must not hold one local SQLite file.
   */
  pausedFor<T>(work: () => T): Promise<T>;
  stop(): Promise<void>;
}

/**
 * `hyperdrive`: a PostgreSQL URL for the Worker's HYPERDRIVE binding (the PostgreSQL engine).
 * `port`: a port known before the start (a test whose PUBLIC_URL must name it); any free one otherwise.
 */
export async function startTestWorker(vars: Record<string, string> = {}, { hyperdrive, port = 0 }: { hyperdrive?: string; port?: number } = {}): Promise<TestWorker> {
  const stateDir = mkdtempSync(join(tmpdir(), "sma-state-"));
  const migrate = spawnSync("npx", ["wrangler", "d1", "migrations", "apply", "DB", "--local", "--persist-to", stateDir], { env: quietEnv, encoding: "utf8" });
  if (migrate.status !== 0) throw new Error(migrate.stderr || migrate.stdout);
  const start = () =>
    startLocalWorker({
      port,
      quiet: true,
      persistRoot: join(stateDir, "v3"),
      hyperdrive,
      vars: {
        JWT_SECRET: TEST_SECRET,
        CORS_ORIGINS: "",
        THROTTLE_LOGIN_USER_ADDRESS: "1000/900",
        THROTTLE_LOGIN_USER: "1000/900",
        THROTTLE_LOGIN_ADDRESS: "1000/900",
        THROTTLE_PASSWORD_CHECK: "1000/900",
        THROTTLE_REGISTER_ADDRESS: "1000/3600",
        ...vars,
      },
    });
  let running = await start();
  const handle: TestWorker = {
    url: running.url,
    stateDir,
    async pausedFor(work) {
      await running.stop();
      try {
        return work();
      } finally {
        running = await start();
        handle.url = running.url;
      }
    },
    async stop() {
      await running.stop();
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
  return handle;
}

/** JSON over HTTP against a running Worker. */
export async function request(url: string, method: string, body?: unknown, token?: string) {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (token) headers.Authorization = `Bearer ${token}`;
  const response = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined, headers: response.headers };
}
