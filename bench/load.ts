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
  /**
   * Like and unlike in turn (the URL's origin is used, not its path): a pool of one post per
   * connection, each taken while its request is in flight. Post k of `postIds` has 2k likes
   * (`likes_count` 2k unliked by the caller, 2k + 1 liked), so an answer's likes_count names the
   * post it was about and whether the next request on it is an unlike. All start unliked.
   */
  likeToggle?: { postIds: number[] };
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

/** Reports the run as one JSON line, errors counting unexpected statuses. */
const DONE = `
function done(summary, latency, requests)
  local bad = 0
  for _, thread in ipairs(threads) do bad = bad + thread:get("unexpected") end
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout + bad
  io.write(string.format('\\nRESULT {"requests": %d, "seconds": %f, "p50": %f, "p99": %f, "errors": %d}\\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(99) / 1000, errors))
end
`;

/** A wrk script: the request (with a fresh `{n}` each time), the status check, and a JSON summary. */
function wrkScript(target: Target): string {
  if (target.likeToggle) return wrkToggleScript(target, target.likeToggle.postIds);
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
${DONE}`;
}

/**
 * Like + unlike: the pool holds the likes_count of each free post (2k: like it next; 2k + 1: unlike
 * it). As for refresh chains, wrk's unsent check request takes an extra last entry.
 */
function wrkToggleScript(target: Target, postIds: number[]): string {
  const headers = Object.entries(target.headers ?? {}).map(([name, value]) => `[${lua(name)}] = ${lua(value)}`);
  const pool = [...postIds.map((_, k) => 2 * k), 0];
  return `
local threads = {}
function setup(thread) table.insert(threads, thread) end
unexpected = 0
posts = { ${postIds.join(", ")} }
pool = { ${pool.join(", ")} }
function request()
  local count = table.remove(pool) or 0
  local post = posts[math.floor(count / 2) + 1]
  local action = (count % 2 == 0) and "like" or "unlike"
  return wrk.format("POST", "/api/posts/" .. post .. "/" .. action .. "/", { ${headers.join(", ")} }, nil)
end
function response(status, headers, body)
  if status < 200 or status > 299 then unexpected = unexpected + 1 end
  local count = tonumber(string.match(body, '"likes_count"%s*:%s*(%d+)'))
  if count then table.insert(pool, count) end
end
${DONE}`;
}

async function wrk(target: Target, seconds: number, connections: number, scriptPath: string): Promise<Sample> {
  writeFileSync(scriptPath, wrkScript(target));
  const { stdout } = await run("wrk", ["-t1", `-c${connections}`, `-d${seconds}s`, "-s", scriptPath, target.url], { maxBuffer: 1 << 20 });
  const result = JSON.parse(/RESULT (\{.*\})/.exec(stdout)![1]!) as { requests: number; seconds: number; p50: number; p99: number; errors: number };
  return { rps: result.requests / result.seconds, p50: result.p50, p99: result.p99, errors: result.errors };
}

async function cannon(target: Target, seconds: number, connections: number): Promise<Sample> {
  if (target.likeToggle) return cannonToggle(target, target.likeToggle.postIds, seconds, connections);
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

/** Like + unlike with autocannon: the same pool as wrk's (see wrkToggleScript). */
async function cannonToggle(target: Target, postIds: number[], seconds: number, connections: number): Promise<Sample> {
  const pool = postIds.map((_, k) => 2 * k);
  const result = await autocannon({
    url: target.url,
    method: "POST",
    headers: target.headers,
    connections,
    duration: seconds,
    requests: [
      {
        setupRequest: (request) => {
          const count = pool.pop() ?? 0;
          return { ...request, method: "POST", path: `/api/posts/${postIds[Math.floor(count / 2)]}/${count % 2 === 0 ? "like" : "unlike"}/` };
        },
        onResponse: (_status, body) => {
          const count = /"likes_count"\s*:\s*(\d+)/.exec(body)?.[1];
          if (count !== undefined) pool.push(Number(count));
        },
      },
    ],
  });
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, errors: result.errors + result.timeouts + result.non2xx };
}
