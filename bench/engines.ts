/**
 * Which storage engines a benchmark runs: `-- --engine d1|postgres|both` on the command line, or
 * else BENCH_ENGINE, or else both. D1 is local D1 in workerd; PostgreSQL is a throw-away local
 * server (bench/postgres.ts) reached through Miniflare's local Hyperdrive.
 */
export type Engine = "d1" | "postgres";

const CHOICES: Record<string, Engine[]> = { d1: ["d1"], postgres: ["postgres"], both: ["d1", "postgres"] };

export function enginesToRun(argv = process.argv.slice(2), env = process.env): Engine[] {
  const at = argv.findIndex((arg) => arg === "--engine" || arg.startsWith("--engine="));
  const given = at < 0 ? env.BENCH_ENGINE : argv[at]!.includes("=") ? argv[at]!.slice("--engine=".length) : argv[at + 1];
  const engines = CHOICES[given ?? "both"];
  if (!engines) throw new Error(`--engine (or BENCH_ENGINE) is d1, postgres or both, not ${JSON.stringify(given)}`);
  return engines;
}

export const ENGINE_NAMES: Record<Engine, string> = { d1: "D1", postgres: "PostgreSQL" };
