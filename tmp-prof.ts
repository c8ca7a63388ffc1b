import { app } from "./src/app";
const session = { prepare() { throw new Error("no"); }, batch() { throw new Error("no"); }, getBookmark() { return null; } };
const env = { DB: { withSession: () => session }, JWT_SECRET: "x".repeat(40), SERVER_TIMING: "1" } as any;
const ctx = { waitUntil() {}, passThroughOnException() {} } as any;
const origLog = console.log; console.log = () => {};
async function run(n: number, path: string) {
  const t = performance.now();
  for (let i = 0; i < n; i++) { const r = await app.fetch(new Request("http://x" + path), env, ctx); await r.text(); }
  return (performance.now() - t) / n;
}
await run(2000, "/api/ping");
origLog("per request ms /api/ping", (await run(10000, "/api/ping")).toFixed(4));
origLog("per request ms /nothing", (await run(10000, "/nothing")).toFixed(4));
