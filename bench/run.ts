/**
 * `npm run bench`: builds the bundle and the plain reference workers (bench/reference), seeds a
 * fresh local D1 database and a throw-away local PostgreSQL with the same data, and serves each
 * the same way (Miniflare with only variables, D1/KV/R2, mail and, for PostgreSQL, the HYPERDRIVE
 * binding: the "minimal" shape), one at a time, in interleaved rounds; the project's bundle also
 * runs as `npm run serve` runs it. Every route is driven from a second process (wrk, or
 * autocannon when wrk is missing) and reported with its ratio to the plain workers' floors in the
 * same run: the trivial route (no storage) and one read by primary key (D1's, and PostgreSQL's
 * through Hyperdrive with pg). `-- --engine d1|postgres|both` (or BENCH_ENGINE; default both)
 * picks the engines. Then sequential latencies (login, uploads), token algorithms, cold start and
 * the bundle; everything goes to bench/RESULTS.md.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { rmSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { prepareTarget } from "../scripts/d1";
import { buildBundle, startLocalWorker } from "../scripts/local-worker.mjs";
import { ALGORITHMS, type Algorithm, algorithmText, algorithmVars, verifyCostsMicros } from "./algorithms";
import { type BundleReport, bundleReport } from "./bundle";
import { type ColdStart, coldStart } from "./cold-start";
import { ENGINE_NAMES, type Engine, enginesToRun } from "./engines";
import { LOAD_GENERATOR, type Sample, type Target, load } from "./load";
import { startBenchPostgres } from "./postgres";
import { buildPostgresReference, buildReference } from "./reference/build";
import { BENCH_PASSWORD, IDS, SOCIAL, seed, seedPostgres } from "./seed";
import { LIKE_SLOTS } from "./seed-social";
import { uploadText, uploadTimes } from "./uploads";

const STATE = "bench/.state";
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 4);
const ENGINES = enginesToRun();

type Shape = "reference" | "reference-pg" | "project" | "project-pg" | "serve";
type Token = "caller" | "admin";
type Tokens = Record<Token, string>;

interface Scenario {
  name: string;
  shape: Shape;
  method?: "GET" | "POST" | "PATCH";
  path: string;
  token?: Token;
  body?: string;
  status?: number;
  /** What a route outside /api costs, by its code (Server-Timing is on /api answers only). */
  statements?: string;
  /** Refresh rotation: the body's `{token}` is a refresh token, each connection its own chain. */
  refresh?: boolean;
  /** Like and unlike in turn, a seeded post per connection (the path is not used). */
  likes?: boolean;
}

const ENGINE_OF: Partial<Record<Shape, Engine>> = { project: "d1", serve: "d1", "project-pg": "postgres" };
const PLAIN_TRIVIAL = "plain worker: trivial route (no database)";
const PLAIN_READ = "plain worker: one D1 read by primary key";
const PLAIN_PG_READ = "plain worker: one PostgreSQL read by primary key (pg through Hyperdrive)";
const json = (value: object) => JSON.stringify(value);

/** The project's routes, run on each engine. */
const projectRoutes: Omit<Scenario, "shape">[] = [
  { name: "404 (no route, no database)", path: "/api/ping", status: 404 },
  { name: "/healthz (one trivial read)", path: "/healthz", statements: "1 (not an /api route)" },
  { name: "profile GET", path: "/api/auth/profile/", token: "caller" },
  { name: "user detail", path: `/api/users/${IDS.small}/`, token: "caller" },
  { name: "login", method: "POST", path: "/api/auth/login/", body: json({ username: "bench_login", password: BENCH_PASSWORD }) },
  { name: "refresh (rotation)", method: "POST", path: "/api/auth/token/refresh/", body: json({ refresh: "{token}" }), refresh: true },
  {
    name: "register",
    method: "POST",
    path: "/api/auth/register/",
    status: 201,
    body: json({ username: "{n}", email: "{n}@example.com", password: BENCH_PASSWORD, password2: BENCH_PASSWORD }),
  },
  { name: "follow", method: "POST", path: `/api/auth/follow/${IDS.small}/`, token: "caller" },
  { name: "unfollow", method: "POST", path: `/api/auth/unfollow/${IDS.target}/`, token: "caller" },
  { name: "followers page, 100 followers", path: `/api/users/${IDS.small}/followers/`, token: "caller" },
  { name: "followers page, 100,000 followers", path: `/api/users/${IDS.star}/followers/`, token: "caller" },
  { name: "admin list (page 1 of 100,006 users)", path: "/api/users/", token: "admin" },
  { name: "admin PATCH (is_active)", method: "PATCH", path: `/api/users/${IDS.target}/`, token: "admin", body: json({ is_active: true }) },
  { name: "sessions list", path: "/api/auth/sessions/", token: "caller" },
  { name: "password-reset request (mail sent)", method: "POST", path: "/api/auth/password/reset/", body: json({ email: "bench_small@example.com" }) },
  { name: "JWKS", path: "/.well-known/jwks.json", statements: "0 (not an /api route)" },
  // The social routes, as the caller (liked flags, blocks filtered): seeded by bench/seed-social.ts.
  { name: `posts list, page 1 (of ${SOCIAL.posts.toLocaleString("en")} posts)`, path: "/api/posts/", token: "caller" },
  { name: "a user's posts, page 1 (of 100)", path: `/api/users/${SOCIAL.author}/posts/`, token: "caller" },
  {
    name: "create a post",
    method: "POST",
    path: "/api/posts/",
    token: "caller",
    status: 201,
    body: json({ title: "Benchmark post {n}", content: "Written by npm run bench: a sentence or two, about as long as most status updates are." }),
  },
  { name: "like + unlike, in turn (a post per connection)", method: "POST", path: "/api/posts/", token: "caller", likes: true },
  { name: `a post's comments, page 1 (of ${SOCIAL.comments})`, path: `/api/posts/${SOCIAL.callersPost}/comments/`, token: "caller" },
  { name: `notifications, page 1 (of ${SOCIAL.notifications})`, path: "/api/notifications/", token: "caller" },
  { name: `feed, page 1 (100 followed authors, ${SOCIAL.feedEntries.toLocaleString("en")} entries)`, path: "/api/feed/", token: "caller" },
];

const withD1 = ENGINES.includes("d1");
const withPostgres = ENGINES.includes("postgres");
const scenarios: Scenario[] = [
  { shape: "reference", name: PLAIN_TRIVIAL, path: "/ping", status: 404, statements: "0" },
  { shape: "reference", name: "plain worker: trivial route + one log line", path: "/ping-logged", status: 404, statements: "0" },
  ...(withD1 ? [{ shape: "reference", name: PLAIN_READ, path: `/users/${IDS.small}`, statements: "1" } as const] : []),
  ...(withPostgres ? [{ shape: "reference-pg", name: PLAIN_PG_READ, path: `/users/${IDS.small}`, statements: "1" } as const] : []),
  ...(withD1 ? projectRoutes.map((route) => ({ ...route, shape: "project" as const })) : []),
  ...(withPostgres ? projectRoutes.map((route) => ({ ...route, shape: "project-pg" as const })) : []),
  ...(withD1
    ? ([
        { shape: "serve", name: "`npm run serve`: 404", path: "/api/ping", status: 404 },
        { shape: "serve", name: "`npm run serve`: profile GET", path: "/api/auth/profile/", token: "caller" },
      ] as const)
    : []),
];
const keyOf = (scenario: Scenario) => `${scenario.shape}: ${scenario.name}`;
/** The minimal-shape row each serve row is compared with. */
const SERVE_BASE: Record<string, string> = { "`npm run serve`: 404": "404 (no route, no database)", "`npm run serve`: profile GET": "profile GET" };

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
  statements: string;
}

type Starter = () => ReturnType<typeof startLocalWorker>;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
/** The 1-minute load average, sampled between routes: how busy the shared machine was. */
const loads: number[] = [];

async function main() {
  if (CONNECTIONS > LIKE_SLOTS) throw new Error(`BENCH_CONNECTIONS ${CONNECTIONS}: the like + unlike row has posts for ${LIKE_SLOTS} connections`);
  console.log(
    `Engines: ${ENGINES.map((engine) => ENGINE_NAMES[engine]).join(", ")}. Building the bundle and the reference workers, seeding 100,006 users and 100,100 follows (load from ${LOAD_GENERATOR})...`,
  );
  const bundle = bundleReport(buildBundle());
  const referenceScript = buildReference();
  const postgresReferenceScript = withPostgres ? buildPostgresReference() : "";
  rmSync(STATE, { recursive: true, force: true });
  mkdirSync(`${STATE}/wrk`, { recursive: true });
  if (withD1) {
    prepareTarget({ remote: false, persistTo: STATE });
    seed(STATE);
  }
  const postgres = withPostgres ? await startBenchPostgres() : undefined;
  try {
    if (postgres) await seedPostgres(postgres.url);
    await benchmark(bundle, referenceScript, postgresReferenceScript, postgres?.url ?? "");
  } finally {
    await postgres?.stop();
  }
}

async function benchmark(bundle: BundleReport, referenceScript: string, postgresReferenceScript: string, postgresUrl: string) {
  const starters: Record<Shape, Starter> = {
    reference: () => startLocalWorker({ port: 0, persistRoot: `${STATE}/v3`, quiet: true, shape: "minimal", scriptPath: referenceScript, name: "reference" }),
    "reference-pg": () =>
      startLocalWorker({ port: 0, persistRoot: `${STATE}/v3`, quiet: true, shape: "minimal", scriptPath: postgresReferenceScript, name: "reference", hyperdrive: postgresUrl }),
    project: () => startBenchWorker(),
    "project-pg": () => startBenchWorker({}, "minimal", postgresUrl),
    serve: () => startBenchWorker({}, "serve"),
  };

  // Tokens and the statements of each route, from a worker with Server-Timing, one per engine.
  const tokens: Partial<Record<Engine, Tokens>> = {};
  const statements = new Map<string, string>();
  for (const engine of ENGINES) {
    const probe = await startBenchWorker({ SERVER_TIMING: "1" }, "minimal", engine === "postgres" ? postgresUrl : undefined);
    try {
      const engineTokens = { caller: await loginAs(probe.url, "bench_caller"), admin: await loginAs(probe.url, "bench_admin") };
      tokens[engine] = engineTokens;
      for (const scenario of scenarios.filter((s) => ENGINE_OF[s.shape] === engine)) statements.set(keyOf(scenario), scenario.statements ?? (await countStatements(probe.url, scenario, engine, engineTokens)));
    } finally {
      await probe.stop();
    }
  }
  for (const scenario of scenarios) if (!ENGINE_OF[scenario.shape]) statements.set(keyOf(scenario), scenario.statements!);

  const shapes = [...new Set(scenarios.map((s) => s.shape))];
  const samples = new Map<string, Sample[]>(scenarios.map((s) => [keyOf(s), []]));
  for (let round = 1; round <= ROUNDS; round++) {
    console.log(`Round ${round} of ${ROUNDS} (${SECONDS} s per route, ${CONNECTIONS} connections)`);
    // Each round starts with another worker, so none is always measured right after the writes of another.
    const start = (round - 1) % shapes.length;
    for (const shape of [...shapes.slice(start), ...shapes.slice(0, start)]) {
      const worker = await starters[shape]();
      const engine = ENGINE_OF[shape];
      try {
        for (const scenario of scenarios.filter((s) => s.shape === shape)) {
          loads.push(loadavg()[0]!);
          samples.get(keyOf(scenario))!.push(await loadScenario(worker.url, scenario, engine ? tokens[engine]! : { caller: "", admin: "" }));
        }
      } finally {
        await worker.stop();
      }
    }
  }
  const rows: Row[] = scenarios.map((scenario) => {
    const runs = samples.get(keyOf(scenario))!;
    return {
      scenario,
      rps: median(runs.map((r) => r.rps)),
      p50: median(runs.map((r) => r.p50)),
      p99: median(runs.map((r) => r.p99)),
      errors: runs.reduce((sum, r) => sum + r.errors, 0),
      statements: statements.get(keyOf(scenario))!,
    };
  });

  const parts: string[] = [];
  if (withD1) parts.push(d1Table(rows), serveTable(rows));
  if (withPostgres) parts.push(postgresTable(rows));
  if (withD1) parts.push(await sequentialLatencies(starters, tokens.d1!.caller));
  if (withPostgres) parts.push(await postgresSequential(starters));
  if (withD1) {
    const cold = {
      reference: await coldStart(starters.reference, "/ping"),
      project: await coldStart(starters.project, "/api/ping"),
    };
    parts.push(coldStartText(cold), await compareAlgorithms());
  }
  parts.push(bundleText(bundle));
  const report = parts.join("\n\n");
  console.log(`\n${report}`);
  writeResults(report);
}

/** The project's bundle on the benchmark's state, limits out of the way; `vars` add or override variables; `hyperdrive`: PostgreSQL. */
function startBenchWorker(vars: Record<string, string> = {}, shape: "minimal" | "serve" = "minimal", hyperdrive?: string) {
  return startLocalWorker({ port: 0, persistRoot: `${STATE}/v3`, quiet: true, shape, vars: { ...BENCH_VARS, ...vars }, hyperdrive });
}

function target(url: string, scenario: Scenario, tokens: Tokens, refreshTokens: string[] = []): Target {
  const headers: Record<string, string> = { "Content-Type": "application/json" };
  if (scenario.token) headers.Authorization = `Bearer ${tokens[scenario.token]}`;
  const chain = scenario.refresh ? { tokens: refreshTokens, field: "refresh" } : undefined;
  const likeToggle = scenario.likes ? { postIds: SOCIAL.likeSlots.slice(0, CONNECTIONS) } : undefined;
  return { url: `${url}${scenario.path}`, method: scenario.method, headers, body: scenario.body, status: scenario.status, chain, likeToggle };
}

async function loadScenario(url: string, scenario: Scenario, tokens: Tokens): Promise<Sample> {
  // A refresh chain per connection, each from a login of its own (a refresh token is single-use).
  const refreshTokens = [];
  if (scenario.refresh) for (let i = 0; i < CONNECTIONS; i++) refreshTokens.push(await refreshTokenOf(url, "bench_login"));
  if (scenario.likes) await unlikeAll(url, tokens.caller);
  const sample = await load(target(url, scenario, tokens, refreshTokens), SECONDS, CONNECTIONS, `${STATE}/wrk/script.lua`);
  const engine = ENGINE_OF[scenario.shape];
  console.log(`  ${engine ? `${ENGINE_NAMES[engine]}: ` : ""}${scenario.name}: ${sample.rps.toFixed(0)} req/s, p50 ${sample.p50.toFixed(1)} ms, p99 ${sample.p99.toFixed(1)} ms${sample.errors ? `, ${sample.errors} errors` : ""}`);
  return sample;
}

/** Profile GET under each JWT_ALGORITHM, interleaved rounds, then the per-verify costs. */
async function compareAlgorithms(): Promise<string> {
  const scenario = scenarios.find((s) => s.shape === "project" && s.name === "profile GET")!;
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

async function login(url: string, username: string): Promise<{ access: string; refresh: string }> {
  const response = await fetch(`${url}/api/auth/login/`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ username, password: BENCH_PASSWORD }),
  });
  if (!response.ok) throw new Error(`login as ${username} failed: ${response.status} ${await response.text()}`);
  return (await response.json()) as { access: string; refresh: string };
}

const loginAs = async (url: string, username: string) => (await login(url, username)).access;
const refreshTokenOf = async (url: string, username: string) => (await login(url, username)).refresh;

/**
 * The like row's posts back to "not liked by the caller", as its load starts them (a run can end
 * with a like in flight). An unlike of a post not liked is a 400 that changes nothing.
 */
async function unlikeAll(url: string, caller: string): Promise<void> {
  for (const id of SOCIAL.likeSlots.slice(0, CONNECTIONS)) {
    const response = await fetch(`${url}/api/posts/${id}/unlike/`, { method: "POST", headers: { Authorization: `Bearer ${caller}` } });
    await response.arrayBuffer();
    if (response.status !== 200 && response.status !== 400) throw new Error(`unlike of post ${id} answered ${response.status}`);
  }
}

/** The like row's statements: a like, then an unlike, of its first post. */
async function countLikeStatements(url: string, engine: Engine, tokens: Tokens): Promise<string> {
  await unlikeAll(url, tokens.caller);
  const counts: string[] = [];
  for (const action of ["like", "unlike"]) {
    const scenario: Scenario = { name: action, shape: "project", method: "POST", path: `/api/posts/${SOCIAL.likeSlots[0]}/${action}/`, token: "caller" };
    counts.push(await countStatements(url, scenario, engine, tokens));
  }
  return counts[0] === counts[1] ? counts[0]! : `${counts[0]} (like), ${counts[1]} (unlike)`;
}

/** One request, for what its Server-Timing header reports: D1 round trips (a batch counts once) or PostgreSQL statements (BEGIN and COMMIT count). */
async function countStatements(url: string, scenario: Scenario, engine: Engine, tokens: Tokens): Promise<string> {
  if (scenario.likes) return countLikeStatements(url, engine, tokens);
  const refreshTokens = scenario.refresh ? [await refreshTokenOf(url, "bench_login")] : [];
  const { url: address, method, headers, body } = target(url, scenario, tokens, refreshTokens);
  const sent = body?.replaceAll("{n}", `probe${Date.now()}`).replaceAll("{token}", refreshTokens[0] ?? "");
  const response = await fetch(address, { method: method ?? "GET", headers, body: sent });
  await response.arrayBuffer();
  if (response.status >= 500) throw new Error(`${scenario.name} answered ${response.status}`);
  const metric = engine === "d1" ? "d1" : "pg";
  const count = new RegExp(`${metric};dur=[\\d.]+;desc="(\\d+)"`).exec(response.headers.get("Server-Timing") ?? "")?.[1];
  if (count === undefined && !scenario.path.startsWith("/api/")) throw new Error(`${scenario.name}: a route outside /api needs its statements given`);
  return count ?? "0";
}

/** Median ms of `count` sequential requests (no queueing) after ten unmeasured ones. */
async function sequentialMs(url: string, path: string, body?: object, count = 50): Promise<number> {
  const runs: number[] = [];
  for (let i = 0; i < count + 10; i++) {
    const started = performance.now();
    const response = await fetch(`${url}${path}`, body ? { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) } : {});
    await response.arrayBuffer();
    runs.push(performance.now() - started);
  }
  return median(runs.slice(10));
}

/** Sequential latencies on D1: the floor, logins, uploads. */
async function sequentialLatencies(starters: Record<Shape, Starter>, caller: string): Promise<string> {
  const reference = await starters.reference();
  const floor = await sequentialMs(reference.url, `/users/${IDS.small}`).finally(() => reference.stop());
  const project = await starters.project();
  try {
    const unknownUser = await sequentialMs(project.url, "/api/auth/login/", { username: "nobody_at_all", password: BENCH_PASSWORD });
    const login = await sequentialMs(project.url, "/api/auth/login/", { username: "bench_login", password: BENCH_PASSWORD });
    const uploads = await uploadTimes(project.url, caller);
    const row = (name: string, ms: number) => `| ${name} | ${ms.toFixed(1)} | ${(ms / floor).toFixed(1)} |`;
    return [
      "Sequential requests on D1, one at a time (median ms; the ratio is to the plain worker's one-read request):",
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

/** Sequential latencies on PostgreSQL: the plain read, logins. */
async function postgresSequential(starters: Record<Shape, Starter>): Promise<string> {
  const reference = await starters["reference-pg"]();
  const floor = await sequentialMs(reference.url, `/users/${IDS.small}`).finally(() => reference.stop());
  const project = await starters["project-pg"]();
  try {
    const unknownUser = await sequentialMs(project.url, "/api/auth/login/", { username: "nobody_at_all", password: BENCH_PASSWORD });
    const login = await sequentialMs(project.url, "/api/auth/login/", { username: "bench_login", password: BENCH_PASSWORD });
    const row = (name: string, ms: number) => `| ${name} | ${ms.toFixed(1)} | ${(ms / floor).toFixed(1)} |`;
    return [
      "Sequential requests on PostgreSQL, one at a time (median ms; the ratio is to the plain worker's PostgreSQL read):",
      "",
      "| request | ms | x plain PostgreSQL read |",
      "|---|---:|---:|",
      row(PLAIN_PG_READ, floor),
      row("login, unknown user (one argon2id hash)", unknownUser),
      row("login", login),
    ].join("\n");
  } finally {
    await project.stop();
  }
}

const rpsOf = (rows: Row[], shape: Shape, name: string) => rows.find((row) => row.scenario.shape === shape && row.scenario.name === name)?.rps;

function d1Table(rows: Row[]): string {
  const trivial = rpsOf(rows, "reference", PLAIN_TRIVIAL)!;
  const read = rpsOf(rows, "reference", PLAIN_READ)!;
  return [
    "D1 (local D1 in workerd):",
    "",
    "| route | req/s | p50 ms | p99 ms | D1 round trips | vs plain trivial | vs plain read | errors |",
    "|---|---:|---:|---:|---:|---:|---:|---:|",
    ...rows
      .filter((r) => r.scenario.shape === "reference" || r.scenario.shape === "project" || r.scenario.shape === "serve")
      .map(
        (r) =>
          `| ${r.scenario.name} | ${r.rps.toFixed(0)} | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} | ${r.statements} | ${(r.rps / trivial).toFixed(2)} | ${(r.rps / read).toFixed(2)} | ${r.errors} |`,
      ),
  ].join("\n");
}

function postgresTable(rows: Row[]): string {
  const trivial = rpsOf(rows, "reference", PLAIN_TRIVIAL)!;
  const read = rpsOf(rows, "reference-pg", PLAIN_PG_READ)!;
  const d1 = (r: Row) => {
    const same = r.scenario.shape === "project-pg" ? rpsOf(rows, "project", r.scenario.name) : r.scenario.shape === "reference-pg" ? rpsOf(rows, "reference", PLAIN_READ) : undefined;
    return same ? (r.rps / same).toFixed(2) : "";
  };
  return [
    "PostgreSQL (a local PostgreSQL 18 through Miniflare's local Hyperdrive; statements as the engine's tally counts them, BEGIN and COMMIT included):",
    "",
    "| route | req/s | p50 ms | p99 ms | statements | vs plain trivial | vs plain PostgreSQL read | vs D1 | errors |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ...rows
      .filter((r) => (r.scenario.shape === "reference" && r.scenario.name === PLAIN_TRIVIAL) || r.scenario.shape === "reference-pg" || r.scenario.shape === "project-pg")
      .map(
        (r) =>
          `| ${r.scenario.name} | ${r.rps.toFixed(0)} | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} | ${r.statements} | ${(r.rps / trivial).toFixed(2)} | ${(r.rps / read).toFixed(2)} | ${d1(r)} | ${r.errors} |`,
      ),
  ].join("\n");
}

function serveTable(rows: Row[]): string {
  const rps = (name: string) => rows.find((row) => (row.scenario.shape === "project" || row.scenario.shape === "serve") && row.scenario.name === name)!.rps;
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
  const busy = `1-minute load average while routes ran: median ${median(loads).toFixed(1)}, highest ${Math.max(...loads).toFixed(1)} (${cpu.length} cores)`;
  writeFileSync(
    "bench/RESULTS.md",
    `# Benchmark results

\`npm run bench\` on ${new Date().toISOString().slice(0, 10)} (engines: ${ENGINES.map((engine) => ENGINE_NAMES[engine]).join(", ")}): each bundle on Miniflare (workerd, the runtime of
\`npm run serve\`) with local D1/KV/R2, one at a time, ${ROUNDS} interleaved rounds of ${SECONDS} s per route,
medians reported; load from ${LOAD_GENERATOR} in a second process, ${CONNECTIONS} connections. Machine: ${machine}.
${busy}. The load generator and the Worker share these cores and the machine is shared, so absolute numbers
are noisy; the ratios to the plain reference workers measured in the same run are what to compare:
bench/reference/worker.ts (Hono: one route that reads one users row from D1 by primary key, one
trivial route) and, for PostgreSQL, bench/reference/postgres.ts (the same read through the
HYPERDRIVE binding with pg, a client per request as the engine makes).

${withPostgres ? `${POSTGRES_NOTE}\n\n` : ""}${report}
`,
  );
}

const POSTGRES_NOTE = `PostgreSQL locally: Miniflare's Hyperdrive has no pool, so every request that reads opens a new
connection to PostgreSQL (a new server process and its start-up, about 5 ms from Node and more through
workerd and the proxy), which the plain PostgreSQL read pays as well: locally that, not the query,
sets the PostgreSQL floor. Deployed, Hyperdrive keeps pooled connections near the database and the
Worker's connection to Hyperdrive is local to its location, so these figures say what each route
costs in statements relative to the floor, not what PostgreSQL costs in production.`;

await main();
