/**
 * `npm run bench`: builds the bundle, serves it with Miniflare (`npm run serve`'s runtime) on a
 * fresh seeded database, and drives each route from autocannon in this (second) process, several
 * interleaved rounds per route (the medians are reported: one run on a shared machine is noisy).
 * Prints requests/s, p50, p99, D1 round trips per request and the ratio to the one-read floor,
 * then the login CPU breakdown and the bundle size, and writes it all to bench/RESULTS.md.
 */
import { rmSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import autocannon from "autocannon";
import { prepareTarget } from "../scripts/d1";
import { buildBundle, startLocalWorker } from "../scripts/local-worker.mjs";
import { type BundleReport, bundleReport } from "./bundle";
import { BENCH_PASSWORD, IDS, seed } from "./seed";
import { uploadText, uploadTimes } from "./uploads";
import { ALGORITHMS, type Algorithm, algorithmText, algorithmVars, verifyCostsMicros } from "./algorithms";

const STATE = "bench/.state";
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);

interface Scenario {
  name: string;
  method?: "GET" | "POST";
  path: string;
  token?: "caller" | "admin";
  body?: () => string;
  /** The status every request must get (default: any 2xx). */
  status?: number;
}

let sequence = 0;
const unique = () => `new${process.pid}x${++sequence}`;
const FLOOR = "floor: one D1 read (/healthz)";
const scenarios: Scenario[] = [
  { name: "bare route (404, no D1)", path: "/api/ping", status: 404 },
  { name: FLOOR, path: "/healthz" },
  { name: "profile GET", path: "/api/auth/profile/", token: "caller" },
  { name: "login", method: "POST", path: "/api/auth/login/", body: () => JSON.stringify({ username: "bench_caller", password: BENCH_PASSWORD }) },
  {
    name: "register",
    method: "POST",
    path: "/api/auth/register/",
    body: () => {
      const name = unique();
      return JSON.stringify({ username: name, email: `${name}@example.com`, password: BENCH_PASSWORD, password2: BENCH_PASSWORD });
    },
  },
  { name: "follow", method: "POST", path: `/api/auth/follow/${IDS.small}/`, token: "caller" },
  { name: "followers page, 100 followers", path: `/api/users/${IDS.small}/followers/`, token: "caller" },
  { name: "followers page, 100,000 followers", path: `/api/users/${IDS.star}/followers/`, token: "caller" },
  { name: "admin list (page 1 of 100,004 users)", path: "/api/users/", token: "admin" },
];

interface Sample {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}

interface Row extends Sample {
  name: string;
  roundTrips: string;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function main() {
  console.log("Building the bundle and seeding 100,004 users and 100,100 follows...");
  const bundle = bundleReport(buildBundle());
  rmSync(STATE, { recursive: true, force: true });
  prepareTarget({ remote: false, persistTo: STATE });
  seed(STATE);
  const worker = await startBenchWorker();
  let report = "";
  try {
    const tokens = { caller: await loginAs(worker.url, "bench_caller"), admin: await loginAs(worker.url, "bench_admin") };
    const samples = new Map<string, Sample[]>(scenarios.map((s) => [s.name, []]));
    const roundTrips = new Map<string, string>();
    for (const scenario of scenarios) roundTrips.set(scenario.name, await countRoundTrips(worker.url, scenario, tokens));
    for (let round = 1; round <= ROUNDS; round++) {
      console.log(`Round ${round} of ${ROUNDS} (${SECONDS} s per route, ${CONNECTIONS} connections)`);
      for (const scenario of scenarios) samples.get(scenario.name)!.push(await load(worker.url, scenario, tokens));
    }
    const rows: Row[] = scenarios.map((scenario) => {
      const runs = samples.get(scenario.name)!;
      return {
        name: scenario.name,
        rps: median(runs.map((r) => r.rps)),
        p50: median(runs.map((r) => r.p50)),
        p99: median(runs.map((r) => r.p99)),
        errors: runs.reduce((sum, r) => sum + r.errors, 0),
        roundTrips: roundTrips.get(scenario.name)!,
      };
    });
    const login = await loginBreakdown(worker.url);
    const uploads = await uploadTimes(worker.url, tokens.caller);
    report = [table(rows), loginText(login), uploadText(uploads)].join("\n\n");
  } finally {
    await worker.stop();
  }
  const algorithms = await compareAlgorithms();
  report = [report, algorithms, bundleText(bundle)].join("\n\n");
  console.log(`\n${report}`);
  writeResults(report);
}

/** The bundle on the benchmark's state, with limits out of the way; `vars` add or override variables. */
function startBenchWorker(vars: Record<string, string> = {}) {
  return startLocalWorker({
    port: 0,
    persistRoot: `${STATE}/v3`,
    quiet: true,
    vars: {
      JWT_SECRET: "benchmark-signing-secret-0123456789abcdef",
      SERVER_TIMING: "1",
      ACCESS_TOKEN_LIFETIME: "3600",
      THROTTLE_LOGIN_USER_ADDRESS: "999999/60",
      THROTTLE_LOGIN_USER: "999999/60",
      THROTTLE_PASSWORD_CHECK: "999999/60",
      THROTTLE_LOGIN_ADDRESS: "999999/60",
      THROTTLE_REGISTER_ADDRESS: "999999/60",
      ...vars,
    },
  });
}

/** Profile GET under each JWT_ALGORITHM, interleaved rounds, then the per-verify costs. */
async function compareAlgorithms(): Promise<string> {
  const scenario = scenarios.find((s) => s.name === "profile GET")!;
  const vars = Object.fromEntries(await Promise.all(ALGORITHMS.map(async (alg) => [alg, await algorithmVars(alg)] as const)));
  const samples = Object.fromEntries(ALGORITHMS.map((alg) => [alg, [] as number[]])) as Record<Algorithm, number[]>;
  for (let round = 1; round <= ROUNDS; round++) {
    for (const alg of ALGORITHMS) {
      console.log(`Algorithms, round ${round} of ${ROUNDS}: ${alg}`);
      const worker = await startBenchWorker(vars[alg]);
      try {
        const token = await loginAs(worker.url, "bench_caller");
        samples[alg].push((await load(worker.url, scenario, { caller: token, admin: token })).rps);
      } finally {
        await worker.stop();
      }
    }
  }
  const rps = Object.fromEntries(ALGORITHMS.map((alg) => [alg, median(samples[alg])])) as Record<Algorithm, number>;
  return algorithmText(rps, await verifyCostsMicros());
}

async function loginAs(url: string, username: string): Promise<string> {
  const response = await fetch(`${url}/api/auth/login/`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ username, password: BENCH_PASSWORD }),
  });
  if (!response.ok) throw new Error(`login as ${username} failed: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { access: string }).access;
}

function headersFor(scenario: Scenario, tokens: Record<"caller" | "admin", string>) {
  const headers: Record<string, string> = { "Content-Type": "application/json" };
  if (scenario.token) headers.Authorization = `Bearer ${tokens[scenario.token]}`;
  return headers;
}

/** One request, for the D1 round trips its Server-Timing header reports (a batch counts once). */
async function countRoundTrips(url: string, scenario: Scenario, tokens: Record<"caller" | "admin", string>): Promise<string> {
  const response = await fetch(`${url}${scenario.path}`, { method: scenario.method ?? "GET", headers: headersFor(scenario, tokens), body: scenario.body?.() });
  await response.arrayBuffer();
  return /d1;dur=[\d.]+;desc="(\d+)"/.exec(response.headers.get("Server-Timing") ?? "")?.[1] ?? "1 (not an /api route)";
}

async function load(url: string, scenario: Scenario, tokens: Record<"caller" | "admin", string>): Promise<Sample> {
  let unexpected = 0;
  const result = await autocannon({
    url: `${url}${scenario.path}`,
    method: scenario.method ?? "GET",
    headers: headersFor(scenario, tokens),
    connections: CONNECTIONS,
    duration: SECONDS,
    requests: scenario.body ? [{ setupRequest: (request: object) => ({ ...request, body: scenario.body!() }) }] : undefined,
  });
  if (scenario.status) unexpected = result.requests.total - (result.statusCodeStats?.[String(scenario.status) as "404"]?.count ?? 0);
  else unexpected = result.non2xx;
  const sample = { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, errors: result.errors + result.timeouts + unexpected };
  console.log(`  ${scenario.name}: ${sample.rps.toFixed(0)} req/s, p50 ${sample.p50} ms, p99 ${sample.p99} ms${sample.errors ? `, ${sample.errors} errors` : ""}`);
  return sample;
}

interface LoginBreakdown {
  floor: number;
  unknownUser: number;
  login: number;
}

/** Sequential requests (no queueing): latency of the floor, of a login for an unknown user (one hash), of a real login. */
async function loginBreakdown(url: string): Promise<LoginBreakdown> {
  const time = async (path: string, body?: object) => {
    const runs: number[] = [];
    for (let i = 0; i < 60; i++) {
      const started = performance.now();
      const response = await fetch(`${url}${path}`, body ? { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) } : {});
      await response.arrayBuffer();
      runs.push(performance.now() - started);
    }
    return median(runs.slice(10));
  };
  return {
    floor: await time("/healthz"),
    unknownUser: await time("/api/auth/login/", { username: "nobody_at_all", password: BENCH_PASSWORD }),
    login: await time("/api/auth/login/", { username: "bench_caller", password: BENCH_PASSWORD }),
  };
}

function table(rows: Row[]): string {
  const floor = rows.find((row) => row.name === FLOOR)!.rps;
  return [
    "| route | req/s | p50 ms | p99 ms | D1 round trips | vs floor | errors |",
    "|---|---:|---:|---:|---:|---:|---:|",
    ...rows.map((r) => `| ${r.name} | ${r.rps.toFixed(0)} | ${r.p50} | ${r.p99} | ${r.roundTrips} | ${(r.rps / floor).toFixed(2)} | ${r.errors} |`),
  ].join("\n");
}

function loginText(l: LoginBreakdown): string {
  const hash = l.unknownUser - l.floor;
  const extra = l.login - l.unknownUser;
  return `Login, sequential requests (median ms): floor ${l.floor.toFixed(1)}, unknown user ${l.unknownUser.toFixed(1)}, real login ${l.login.toFixed(1)}.
Both logins are one D1 round trip and one argon2id hash, so: one hash ≈ ${hash.toFixed(1)} ms (unknown user − floor), and a real
login costs ${extra.toFixed(1)} ms beyond it (signing two tokens, the speculative family row; bookkeeping runs after the response).`;
}

function bundleText(b: BundleReport): string {
  const total = b.parts.reduce((sum, [, bytes]) => sum + bytes, 0);
  const parts = b.parts.slice(0, 5).map(([name, bytes]) => `${name} ${((bytes / total) * 100).toFixed(0)}%`).join(", ");
  return `Bundle (wrangler deploy --dry-run): ${b.totalKiB} KiB, ${b.gzipKiB} KiB gzipped (budget 350 KiB). index.js by package: ${parts}.`;
}

function writeResults(report: string) {
  const cpu = cpus();
  const machine = `${cpu.length} x ${cpu[0]?.model ?? "unknown CPU"}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${process.platform}`;
  writeFileSync(
    "bench/RESULTS.md",
    `# Benchmark results

\`npm run bench\` on ${new Date().toISOString().slice(0, 10)}: the built bundle on Miniflare (workerd, the same runtime as
\`npm run serve\`) with local D1/KV/R2, autocannon in a second process, ${CONNECTIONS} connections, ${ROUNDS} rounds
of ${SECONDS} s per route, medians reported. Machine: ${machine}. The load generator and the Worker share
these cores and the machine is shared, so absolute numbers are noisy; compare the ratios to the floor
(a route doing one trivial D1 read).

${report}
`,
  );
}

await main();
