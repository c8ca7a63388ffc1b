// What `npm run dev` and `npm run dev:postgres` share: `wrangler dev` on 127.0.0.1:8787 (or the
// --ip / --port given after `--`), signals passed on, this process ending with it.
import { spawn } from "node:child_process";
import { quietEnv } from "./local-setup.mjs";

/**
 * Starts `wrangler dev` with `args` (and `config` other than wrangler.toml); `env` is added to
 * the quiet environment; `cleanup` runs after wrangler exits, before this process does.
 * @param {{ args?: string[]; config?: string; env?: Record<string, string>; cleanup?: () => Promise<void> }} [options]
 */
export function runWranglerDev({ args = [], config, env = {}, cleanup = async () => {} } = {}) {
  const given = (flag) => args.some((arg) => arg === flag || arg.startsWith(`${flag}=`));
  const defaults = [...(given("--ip") ? [] : ["--ip", "127.0.0.1"]), ...(given("--port") ? [] : ["--port", "8787"])];
  const dev = spawn("npx", ["wrangler", "dev", ...(config ? ["--config", config] : []), ...defaults, ...args], {
    stdio: "inherit",
    env: { ...quietEnv, ...env },
  });
  // Registered last, these replace handlers that would end this process before wrangler has stopped.
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
    process.removeAllListeners(signal);
    process.on(signal, () => dev.kill(signal));
  }
  dev.on("exit", async (code) => {
    await cleanup();
    process.exit(code ?? 0);
  });
  return dev;
}
