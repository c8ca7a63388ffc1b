import { mkdirSync } from "node:fs";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hasChromium, launchChromium } from "./browser";
import { type TestWorker, startTestWorker } from "./local-worker";

let worker: TestWorker;
let browser: Browser;

beforeAll(async () => {
  if (!hasChromium) return;
  worker = await startTestWorker();
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await worker?.stop();
});

describe("the docs page in Chromium", () => {
  it.skipIf(!hasChromium)("lists every operation, loads nothing from outside this origin, and is saved as a screenshot", async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 2400 } });
    const requested: string[] = [];
    page.on("request", (request) => void requested.push(request.url()));
    const errors: string[] = [];
    page.on("pageerror", (error) => void errors.push(error.message));

    await page.goto(`${worker.url}/api/docs/`);
    await page.waitForSelector(".opblock", { timeout: 30_000 });
    const operations = await page.$$eval(".opblock", (blocks) =>
      blocks.map((block) => `${block.querySelector(".opblock-summary-method")?.textContent} ${block.querySelector(".opblock-summary-path")?.getAttribute("data-path")}`),
    );
    // Every operation of the document, and nothing else.
    const document = (await (await fetch(`${worker.url}/api/schema/`)).json()) as { paths: Record<string, Record<string, unknown>> };
    const documented = Object.entries(document.paths).flatMap(([path, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`));
    expect(documented.length).toBeGreaterThanOrEqual(21);
    expect([...operations].sort()).toEqual(documented.sort());
    expect(operations).toEqual(expect.arrayContaining(["POST /api/auth/login/", "PATCH /api/auth/profile/", "GET /api/users/{id}/followers/", "POST /api/auth/token/refresh/"]));
    expect(await page.textContent(".info .title")).toContain("social-media-api");
    // Swagger UI shows warnings (e.g. about the document) in the info block; there must be none.
    expect(await page.locator(".information-container").textContent()).not.toContain("Warning");

    mkdirSync("test-results", { recursive: true });
    await page.screenshot({ path: "test-results/docs-page.png", fullPage: false });

    const outside = requested.filter((url) => !url.startsWith(worker.url) && !url.startsWith("data:"));
    expect(outside).toEqual([]);
    expect(requested).toEqual(expect.arrayContaining([`${worker.url}/api/schema/`, `${worker.url}/docs-assets/vendor/swagger-ui-bundle.js`]));
    expect(errors).toEqual([]);
  });
});
