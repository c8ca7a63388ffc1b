import { type Server, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hasChromium, launchChromium } from "./browser";
import { type TestWorker, request, startTestWorker } from "./local-worker";

/** A single-page app on another origin, using the API with fetch as a real one would. */
const APP = `<!doctype html>
<html><body><pre id="result">running</pre>
<script type="module">
const api = new URLSearchParams(location.search).get("api");
const target = Number(new URLSearchParams(location.search).get("target"));
const name = "spa" + Date.now();
const password = "correct-horse-battery-42";
async function call(method, path, body, token) {
  const headers = { "Content-Type": "application/json" };
  if (token) headers.Authorization = "Bearer " + token;
  const response = await fetch(api + path, { method, headers, body: body ? JSON.stringify(body) : undefined });
  return { status: response.status, body: await response.json() };
}
try {
  const register = await call("POST", "/api/auth/register/", { username: name, email: name + "@example.com", password, password2: password });
  const login = await call("POST", "/api/auth/login/", { username: name, password });
  const profile = await call("GET", "/api/auth/profile/", undefined, login.body.access);
  const follow = await call("POST", "/api/auth/follow/" + target + "/", undefined, login.body.access);
  const after = await call("GET", "/api/auth/profile/", undefined, login.body.access);
  document.getElementById("result").textContent = JSON.stringify({ name, register, loginStatus: login.status, profile, follow, following: after.body.following_count });
} catch (error) {
  document.getElementById("result").textContent = "error: " + error;
}
</script></body></html>`;

// Runs in the page (a string, as this file is compiled without DOM types).
const FINISHED = `document.getElementById("result")?.textContent !== "running"`;

let worker: TestWorker;
let browser: Browser;
let app: Server;
let appOrigin: string;

beforeAll(async () => {
  if (!hasChromium) return;
  app = createServer((_request, response) => {
    response.writeHead(200, { "Content-Type": "text/html" });
    response.end(APP);
  });
  await new Promise<void>((resolve) => app.listen(0, "127.0.0.1", resolve));
  appOrigin = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
  worker = await startTestWorker({ CORS_ORIGINS: appOrigin });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await worker?.stop();
  app?.close();
});

describe("a web app on another origin, in Chromium", () => {
  it.skipIf(!hasChromium)("registers, logs in, reads the profile with the Bearer token and follows someone through fetch", async () => {
    const password = "correct-horse-battery-42";
    await request(`${worker.url}/api/auth/register/`, "POST", { username: "celebrity", email: "celebrity@example.com", password, password2: password });
    const celebrity = await request(`${worker.url}/api/auth/login/`, "POST", { username: "celebrity", password });
    const target = (await request(`${worker.url}/api/auth/profile/`, "GET", undefined, celebrity.body.access)).body.id;

    const page = await browser.newPage();
    await page.goto(`${appOrigin}/?api=${encodeURIComponent(worker.url)}&target=${target}`);
    await page.waitForFunction(FINISHED, undefined, { timeout: 30_000 });
    const result = JSON.parse((await page.textContent("#result"))!);
    expect(result.register).toEqual({ status: 201, body: { detail: "User registered successfully." } });
    expect(result.loginStatus).toBe(200);
    expect(result.profile.status).toBe(200);
    expect(result.profile.body.username).toBe(result.name);
    expect(result.follow).toEqual({ status: 200, body: { detail: "You are now following celebrity." } });
    expect(result.following).toBe(1);
  });

  it.skipIf(!hasChromium)("is refused by the browser when its origin is not listed", async () => {
    const other = createServer((_request, response) => {
      response.writeHead(200, { "Content-Type": "text/html" });
      response.end(APP);
    });
    await new Promise<void>((resolve) => other.listen(0, "127.0.0.1", resolve));
    try {
      const page = await browser.newPage();
      await page.goto(`http://127.0.0.1:${(other.address() as AddressInfo).port}/?api=${encodeURIComponent(worker.url)}&target=1`);
      await page.waitForFunction(FINISHED, undefined, { timeout: 30_000 });
      expect(await page.textContent("#result")).toMatch(/^error: TypeError: Failed to fetch/);
    } finally {
      other.close();
    }
  });
});
