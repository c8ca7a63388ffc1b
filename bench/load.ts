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
  /**
   * A chain of single-use tokens (refresh rotation): `{token}` in the body becomes a token of
   * `tokens` that no request in flight holds, and the answer's JSON `field` replaces it. One
   * token per connection: each connection keeps its own chain.
   */
  chain?: { tokens: string[]; field: string };
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
  const parts = (text: string) => text.split("{n}").map(lua).join(" .. prefix .. counter .. ");
  const body = target.body === undefined ? "nil" : target.body.split("{token}").map(parts).join(" .. token .. ");
  const statusCheck = target.status ? `status ~= ${target.status}` : "status < 200 or status > 299";
  // wrk asks a connection for its next request only after its answer went through response():
  // with as many tokens as connections, the pool is never empty unless an answer carried none.
  // Before the run wrk calls request() once to check the script, and sends nothing: that call
  // takes the unused last entry, so that no token is lost (and reused by two connections).
  const chain = target.chain;
  const pool = chain ? [...chain.tokens, "checked by wrk, never sent"] : [];
  return `
local threads = {}
function setup(thread) table.insert(threads, thread) end
counter = 0
unexpected = 0
prefix = "w" .. tostring(os.time()) .. tostring(math.random(100000, 999999)) .. "x"
tokens = { ${pool.map(lua).join(", ")} }
last = tokens[1] or ""
function request()
  counter = counter + 1
  local token = table.remove(tokens) or last
  return wrk.format(${lua(target.method ?? "GET")}, ${lua(url.pathname + url.search)}, { ${headers.join(", ")} }, ${body})
end
function response(status, headers, body)
  if ${statusCheck} then unexpected = unexpected + 1 end
  ${chain ? `local next = string.match(body, ${lua(`"${chain.field}"%s*:%s*"([^"]+)"`)})
  if next then table.insert(tokens, next); last = next end` : ""}
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
  // As with wrk, a pool: autocannon builds a connection's next request after its answer went
  // through onResponse (its per-connection context is reset before every request, so it cannot
  // hold the token).
  const pool = [...(target.chain?.tokens ?? [])];
  let last = pool[0] ?? "";
  const result = await autocannon({
    url: target.url,
    method: target.method ?? "GET",
    headers: target.headers,
    connections,
    duration: seconds,
    requests:
      target.body === undefined
        ? undefined
        : [
            {
              setupRequest: (request) => ({ ...request, body: target.body!.replaceAll("{n}", `${prefix}${++counter}`).replaceAll("{token}", pool.pop() ?? last) }),
              onResponse: (_status, body) => {
                if (!target.chain || !body.startsWith("{")) return;
                const next = (JSON.parse(body) as Record<string, unknown>)[target.chain.field];
                if (typeof next === "string") pool.push((last = next));
              },
            },
          ],
  });
  const expected = target.status ? (result.statusCodeStats?.[String(target.status) as "404"]?.count ?? 0) : result.requests.total - result.non2xx;
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, errors: result.errors + result.timeouts + result.requests.total - expected };
}
