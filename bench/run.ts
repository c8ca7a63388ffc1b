/**
 * `npm run bench`: builds the bundle and a plain reference worker (bench/reference), seeds a fresh
 * local database, and serves each the same way (Miniflare with only variables, D1/KV/R2 and mail:
 * the "minimal" shape), one at a time, in interleaved rounds; the project's bundle also runs as
 * `npm run serve` runs it. Every route is driven from a second process (wrk, or autocannon when
 * wrk is missing) and reported with its ratio to the plain worker's floors in the same run: its
 * trivial route (no D1) and its one D1 read by primary key. Then sequential latencies (login,
 * uploads), token algorithms, cold start and the bundle; everything goes to bench/RESULTS.md.
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { prepareTarget } from "../scripts/d1";
import { buildBundle, startLocalWorker } from "../scripts/local-worker.mjs";
import { ALGORITHMS, type Algorithm, algorithmText, algorithmVars, verifyCostsMicros } from "./algorithms";
import { type BundleReport, bundleReport } from "./bundle";
import { type ColdStart, coldStart } from "./cold-start";
import { LOAD_GENERATOR, type Sample, type Target, load } from "./load";
import { buildReference } from "./reference/build";
import { BENCH_PASSWORD, IDS, seed } from "./seed";
import { uploadText, uploadTimes } from "./uploads";

const STATE = "bench/.state";
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 4);

type Shape = "reference" | "project" | "serve";
type Token = "caller" | "admin";

interface Scenario {
  name: string;
  shape: Shape;
  method?: "GET" | "POST" | "PATCH";
  path: string;
  token?: Token;
  body?: string;
  status?: number;
}

const PLAIN_TRIVIAL = "plain worker: trivial route (no D1)";
const PLAIN_READ = "plain worker: one D1 read by primary key";
const json = (value: object) => JSON.stringify(value);
const scenarios: Scenario[] = [
  { shape: "reference", name: PLAIN_TRIVIAL, path: "/ping", status: 404 },
  { shape: "reference", name: "plain worker: trivial route + one log line", path: "/ping-logged", status: 404 },
  { shape: "reference", name: PLAIN_READ, path: `/users/${IDS.small}` },
  { shape: "project", name: "404 (no route, no D1)", path: "/api/ping", status: 404 },
  { shape: "project", name: "/healthz (one trivial D1 read)", path: "/healthz" },
  { shape: "project", name: "profile GET", path: "/api/auth/profile/", token: "caller" },
  { shape: "project", name: "login", method: "POST", path: "/api/auth/login/", body: json({ username: "bench_login", password: BENCH_PASSWORD }) },
  {
    shape: "project",
    name: "register",
    method: "POST",
    path: "/api/auth/register/",
    status: 201,
    body: json({ username: "{n}", email: "{n}@example.com", password: BENCH_PASSWORD, password2: BENCH_PASSWORD }),
  },
  { shape: "project", name: "follow", method: "POST", path: `/api/auth/follow/${IDS.small}/`, token: "caller" },
  { shape: "project", name: "followers page, 100 followers", path: `/api/users/${IDS.small}/followers/`, token: "caller" },
  { shape: "project", name: "followers page, 100,000 followers", path: `/api/users/${IDS.star}/followers/`, token: "caller" },
  { shape: "project", name: "admin list (page 1 of 100,006 users)", path: "/api/users/", token: "admin" },
  { shape: "project", name: "admin PATCH (is_active)", method: "PATCH", path: `/api/users/${IDS.target}/`, token: "admin", body: json({ is_active: true }) },
  { shape: "project", name: "sessions list", path: "/api/auth/sessions/", token: "caller" },
  { shape: "project", name: "password-reset request (mail sent)", method: "POST", path: "/api/auth/password/reset/", body: json({ email: "bench_small@example.com" }) },
  { shape: "project", name: "JWKS", path: "/.well-known/jwks.json" },
  { shape: "serve", name: "`npm run serve`: 404", path: "/api/ping", status: 404 },
  { shape: "serve", name: "`npm run serve`: profile GET", path: "/api/auth/profile/", token: "caller" },
];
/** The minimal-shape row each serve row is compared with. */
const SERVE_BASE: Record<string, string> = { "`npm run serve`: 404": "404 (no route, no D1)", "`npm run serve`: profile GET": "profile GET" };

const BENCH_VARS = {
  JWT_SECRET: "benchmark-signing-secret-0123456789abcdef",
  ACCESS_TOKEN_LIFETIME: "3600",
  THROTTLE_LOGIN_USER_ADDRESS: "999999/60",
  THROTTLE_LOGIN_USER: "999999/60",
  THROTTLE_PASSWORD_CHECK: "999999/60",
  THROTTLE_LOGIN_ADDRESS: "999999/60",
  THROTTLE_REGISTER_ADDRESS: "999999/60",
  THROTTLE_EMAIL: "999999/60",
};

interface Row extends Sample {
  scenario: Scenario;
  roundTrips: string;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function main() {
  console.log(`Building the bundle and the reference worker, seeding 100,006 users and 100,100 follows (load from ${LOAD_GENERATOR})...`);
  const bundle = bundleReport(buildBundle());
  const referenceScript = buildReference();
  rmSync(STATE, { recursive: true, force: true });
  prepareTarget({ remote: false, persistTo: STATE });
  seed(STATE);
  mkdirSync(`${STATE}/wrk`, { recursive: true });
  const starters: Record<Shape, () => ReturnType<typeof startLocalWorker>> = {
    reference: () => startLocalWorker({ port: 0, persistRoot: `${STATE}/v3`, quiet: true, shape: "minimal", scriptPath: referenceScript, name: "reference" }),
    project: () => startBenchWorker(),
    serve: () => startBenchWorker({}, "serve"),
  };

  const probe = await startBenchWorker({ SERVER_TIMING: "1" });
  const tokens = { caller: await loginAs(probe.url, "bench_caller"), admin: await loginAs(probe.url, "bench_admin") };
  const roundTrips = new Map<string, string>();
  for (const scenario of scenarios) roundTrips.set(scenario.name, scenario.shape === "reference" ? (scenario.path === "/ping" || scenario.path === "/ping-logged" ? "0" : "1") : await countRoundTrips(probe.url, scenario, tokens));
  await probe.stop();

  const samples = new Map<string, Sample[]>(scenarios.map((s) => [s.name, []]));
  for (let round = 1; round <= ROUNDS; round++) {
    console.log(`Round ${round} of ${ROUNDS} (${SECONDS} s per route, ${CONNECTIONS} connections)`);
    // Each round starts with another worker, so none is always measured right after the writes of another.
    const shapes: Shape[] = ["reference", "project", "serve"];
    for (const shape of [...shapes.slice((round - 1) % 3), ...shapes.slice(0, (round - 1) % 3)]) {
      const worker = await starters[shape]();
      try {
        for (const scenario of scenarios.filter((s) => s.shape === shape)) samples.get(scenario.name)!.push(await loadScenario(worker.url, scenario, tokens));
      } finally {
        await worker.stop();
      }
    }
  }
  const rows: Row[] = scenarios.map((scenario) => {
    const runs = samples.get(scenario.name)!;
    return {
      scenario,
      rps: median(runs.map((r) => r.rps)),
      p50: median(runs.map((r) => r.p50)),
      p99: median(runs.map((r) => r.p99)),
      errors: runs.reduce((sum, r) => sum + r.errors, 0),
      roundTrips: roundTrips.get(scenario.name)!,
    };
  });

  const sequential = await sequentialLatencies(starters, tokens.caller);
  const cold = {
    reference: await coldStart(starters.reference, "/ping"),
    project: await coldStart(starters.project, "/api/ping"),
  };
  const algorithms = await compareAlgorithms();
  const report = [loadTable(rows), serveTable(rows), sequential, coldStartText(cold), algorithms, bundleText(bundle)].join("\n\n");
  console.log(`\n${report}`);
  writeResults(report);
}

/** The project's bundle on the benchmark's state, limits out of the way; `vars` add or override variables. */
function startBenchWorker(vars: Record<string, string> = {}, shape: "minimal" | "serve" = "minimal") {
  return startLocalWorker({ port: 0, persistRoot: `${STATE}/v3`, quiet: true, shape, vars: { ...BENCH_VARS, ...vars } });
}

function target(url: string, scenario: Scenario, tokens: Record<Token, string>): Target {
  const headers: Record<string, string> = { "Content-Type": "application/json" };
  if (scenario.token) headers.Authorization = `Bearer ${tokens[scenario.token]}`;
  return { url: `${url}${scenario.path}`, method: scenario.method, headers, body: scenario.body, status: scenario.status };
}

async function loadScenario(url: string, scenario: Scenario, tokens: Record<Token, string>): Promise<Sample> {
  const sample = await load(target(url, scenario, tokens), SECONDS, CONNECTIONS, `${STATE}/wrk/script.lua`);
  console.log(`  ${scenario.name}: ${sample.rps.toFixed(0)} req/s, p50 ${sample.p50.toFixed(1)} ms, p99 ${sample.p99.toFixed(1)} ms${sample.errors ? `, ${sample.errors} errors` : ""}`);
  return sample;
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
        samples[alg].push((await loadScenario(worker.url, scenario, { caller: token, admin: token })).rps);
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

/** One request, for the D1 round trips its Server-Timing header reports (a batch counts once). */
async function countRoundTrips(url: string, scenario: Scenario, tokens: Record<Token, string>): Promise<string> {
  const { url: address, method, headers, body } = target(url, scenario, tokens);
  const response = await fetch(address, { method: method ?? "GET", headers, body: body?.replaceAll("{n}", `probe${Date.now()}`) });
  await response.arrayBuffer();
  if (response.status >= 500) throw new Error(`${scenario.name} answered ${response.status}`);
  return /d1;dur=[\d.]+;desc="(\d+)"/.exec(response.headers.get("Server-Timing") ?? "")?.[1] ?? (scenario.path.startsWith("/api/") ? "0" : "1 (not an /api route)");
}

/** Median ms of sequential requests (no queueing): the floors, logins, uploads. */
async function sequentialLatencies(starters: Record<Shape, () => ReturnType<typeof startLocalWorker>>, caller: string): Promise<string> {
  const time = async (url: string, path: string, body?: object) => {
    const runs: number[] = [];
    for (let i = 0; i < 60; i++) {
      const started = performance.now();
      const response = await fetch(`${url}${path}`, body ? { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) } : {});
      await response.arrayBuffer();
      runs.push(performance.now() - started);
    }
    return median(runs.slice(10));
  };
  const reference = await starters.reference();
  const floor = await time(reference.url, `/users/${IDS.small}`).finally(() => reference.stop());
  const project = await starters.project();
  try {
    const unknownUser = await time(project.url, "/api/auth/login/", { username: "nobody_at_all", password: BENCH_PASSWORD });
    const login = await time(project.url, "/api/auth/login/", { username: "bench_login", password: BENCH_PASSWORD });
    const uploads = await uploadTimes(project.url, caller);
    const row = (name: string, ms: number) => `| ${name} | ${ms.toFixed(1)} | ${(ms / floor).toFixed(1)} |`;
    return [
      "Sequential requests, one at a time (median ms; the ratio is to the plain worker's one-read request):",
      "",
      "| request | ms | x plain read |",
      "|---|---:|---:|",
      row(PLAIN_READ, floor),
      row("login, unknown user (one argon2id hash)", unknownUser),
      row("login", login),
      row("profile PATCH, tiny PNG", uploads.tiny),
      row(`profile PATCH, decompression bomb (9000 x 9000 PNG, ${(uploads.sizes.bomb / 1024).toFixed(0)} KiB)`, uploads.bomb),
      row(`profile PATCH, ordinary 5 MiB JPEG`, uploads.jpeg),
      "",
      `One argon2id hash ≈ ${(unknownUser - floor).toFixed(1)} ms (unknown user − floor); a real login costs ${(login - unknownUser).toFixed(1)} ms beyond it.`,
      uploadText(uploads),
    ].join("\n");
  } finally {
    await project.stop();
  }
}

function loadTable(rows: Row[]): string {
  const trivial = rows.find((row) => row.scenario.name === PLAIN_TRIVIAL)!.rps;
  const read = rows.find((row) => row.scenario.name === PLAIN_READ)!.rps;
  return [
    "| route | req/s | p50 ms | p99 ms | D1 round trips | vs plain trivial | vs plain read | errors |",
    "|---|---:|---:|---:|---:|---:|---:|---:|",
    ...rows.map(
      (r) =>
        `| ${r.scenario.name} | ${r.rps.toFixed(0)} | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} | ${r.roundTrips} | ${(r.rps / trivial).toFixed(2)} | ${(r.rps / read).toFixed(2)} | ${r.errors} |`,
    ),
  ].join("\n");
}

function serveTable(rows: Row[]): string {
  const rps = (name: string) => rows.find((row) => row.scenario.name === name)!.rps;
  return [
    "`npm run serve` (every binding of wrangler.toml, static assets beside the API) against the same bundle on the minimal shape:",
    "",
    "| route | minimal req/s | serve req/s | serve / minimal |",
    "|---|---:|---:|---:|",
    ...Object.entries(SERVE_BASE).map(([serve, base]) => `| ${base} | ${rps(base).toFixed(0)} | ${rps(serve).toFixed(0)} | ${(rps(serve) / rps(base)).toFixed(2)} |`),
  ].join("\n");
}

function coldStartText(cold: Record<"reference" | "project", ColdStart>): string {
  const row = (name: string, c: ColdStart) => `| ${name} | ${c.toFirstAnswer.toFixed(0)} | ${c.firstRequest.toFixed(1)} |`;
  return [
    "Cold start (a new workerd on the bundle, median of 5; workerd compiles and runs the module before it reports ready):",
    "",
    "| bundle | ms from start to first answer | ms of the first request |",
    "|---|---:|---:|",
    row("plain worker", cold.reference),
    row("project", cold.project),
    "",
    `The project's bundle costs ${(cold.project.toFirstAnswer - cold.reference.toFirstAnswer).toFixed(0)} ms more from start to first answer than the plain worker's.`,
  ].join("\n");
}

function bundleText(b: BundleReport): string {
  const total = b.parts.reduce((sum, [, bytes]) => sum + bytes, 0);
  const parts = b.parts.slice(0, 6).map(([name, bytes]) => `${name} ${((bytes / total) * 100).toFixed(0)}%`).join(", ");
  return `Bundle (wrangler deploy --dry-run, minified): ${b.totalKiB} KiB, ${b.gzipKiB} KiB gzipped (budget 300 KiB). index.js by package: ${parts}.`;
}

function writeResults(report: string) {
  const cpu = cpus();
  const machine = `${cpu.length} x ${cpu[0]?.model ?? "unknown CPU"}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${process.platform}`;
  writeFileSync(
    "bench/RESULTS.md",
    `# Benchmark results

\`npm run bench\` on ${new Date().toISOString().slice(0, 10)}: each bundle on Miniflare (workerd, the runtime of
\`npm run serve\`) with local D1/KV/R2, one at a time, ${ROUNDS} interleaved rounds of ${SECONDS} s per route,
medians reported; load from ${LOAD_GENERATOR} in a second process, ${CONNECTIONS} connections. Machine: ${machine}.
The load generator and the Worker share these cores and the machine is shared, so absolute numbers
are noisy; the ratios to the plain reference worker (bench/reference/worker.ts: Hono, one route that
reads one users row by primary key, one trivial route) measured in the same run are what to compare.

${report}
`,
  );
}

await main();
