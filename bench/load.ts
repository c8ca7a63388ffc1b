/**
 * Drives one route for a few seconds from a second process and reports requests/s, latency and
 * unexpected answers. wrk (C, one thread) when it is installed: it leaves the shared cores to the
 * Worker; otherwise autocannon (Node), which costs the machine more and pulls ratios towards 1.
 */
import { execFile, spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { promisify } from "node:util";
import autocannon from "autocannon";

const run = promisify(execFile);

export interface Target {
  url: string;
  method?: "GET" | "POST" | "PATCH";
  headers?: Record<string, string>;
  /** The body; `{n}` becomes a number unique within the run (for registrations). */
  body?: string;
  /** The status every answer must have (default: any 2xx). */
  status?: number;
}

export interface Sample {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}

export const LOAD_GENERATOR = spawnSync("wrk", ["--version"]).error ? "autocannon" : "wrk";

export function load(target: Target, seconds: number, connections: number, scriptPath: string): Promise<Sample> {
  return LOAD_GENERATOR === "wrk" ? wrk(target, seconds, connections, scriptPath) : cannon(target, seconds, connections);
}

const lua = (value: string) => JSON.stringify(value); // a JSON string is a valid Lua string literal here (ASCII only)

/** A wrk script: the request (with a fresh `{n}` each time), the status check, and a JSON summary. */
function wrkScript(target: Target): string {
  const url = new URL(target.url);
  const headers = Object.entries(target.headers ?? {}).map(([name, value]) => `[${lua(name)}] = ${lua(value)}`);
  const body = target.body === undefined ? "nil" : target.body.split("{n}").map(lua).join(" .. prefix .. counter .. ");
  const statusCheck = target.status ? `status ~= ${target.status}` : "status < 200 or status > 299";
  return `
local threads = {}
function setup(thread) table.insert(threads, thread) end
counter = 0
unexpected = 0
prefix = "w" .. tostring(os.time()) .. tostring(math.random(100000, 999999)) .. "x"
function request()
  counter = counter + 1
  return wrk.format(${lua(target.method ?? "GET")}, ${lua(url.pathname + url.search)}, { ${headers.join(", ")} }, ${body})
end
function response(status, headers, body)
  if ${statusCheck} then unexpected = unexpected + 1 end
end
function done(summary, latency, requests)
  local bad = 0
  for _, thread in ipairs(threads) do bad = bad + thread:get("unexpected") end
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout + bad
  io.write(string.format('\\nRESULT {"requests": %d, "seconds": %f, "p50": %f, "p99": %f, "errors": %d}\\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(99) / 1000, errors))
end
`;
}

async function wrk(target: Target, seconds: number, connections: number, scriptPath: string): Promise<Sample> {
  writeFileSync(scriptPath, wrkScript(target));
  const { stdout } = await run("wrk", ["-t1", `-c${connections}`, `-d${seconds}s`, "-s", scriptPath, target.url], { maxBuffer: 1 << 20 });
  const result = JSON.parse(/RESULT (\{.*\})/.exec(stdout)![1]!) as { requests: number; seconds: number; p50: number; p99: number; errors: number };
  return { rps: result.requests / result.seconds, p50: result.p50, p99: result.p99, errors: result.errors };
}

async function cannon(target: Target, seconds: number, connections: number): Promise<Sample> {
  let counter = 0;
  const prefix = `a${process.pid}${Date.now() % 100000}x`;
  const result = await autocannon({
    url: target.url,
    method: target.method ?? "GET",
    headers: target.headers,
    connections,
    duration: seconds,
    requests: target.body === undefined ? undefined : [{ setupRequest: (request: object) => ({ ...request, body: target.body!.replaceAll("{n}", `${prefix}${++counter}`) }) }],
  });
  const expected = target.status ? (result.statusCodeStats?.[String(target.status) as "404"]?.count ?? 0) : result.requests.total - result.non2xx;
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, errors: result.errors + result.timeouts + result.requests.total - expected };
}
