import { mkdirSync } from "node:fs";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SOCIAL_ROUTES } from "../social-routes";
import { hasChromium, launchChromium } from "./browser";
import { type TestWorker, request, startTestWorker } from "./local-worker";

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
    const document = (await (await fetch(`${worker.url}/api/schema/`)).json()) as { paths: Record<string, Record<string, unknown>>; tags: { name: string }[] };
    const documented = Object.entries(document.paths).flatMap(([path, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`));
    expect(documented.length).toBeGreaterThanOrEqual(21);
    expect([...operations].sort()).toEqual(documented.sort());
    expect(operations).toEqual(expect.arrayContaining(["POST /api/auth/login/", "PATCH /api/auth/profile/", "GET /api/users/{id}/followers/", "POST /api/auth/token/refresh/"]));
    // Every route of the contract's Social section among them.
    expect(operations).toEqual(expect.arrayContaining(SOCIAL_ROUTES.map((route) => `${route.method.toUpperCase()} ${route.path}`)));
    // Grouped under the document's tags, in its order, each with its operations.
    const sections = await page.$$eval(".opblock-tag-section", (found) =>
      found.map((section) => [section.querySelector(".opblock-tag")?.getAttribute("data-tag"), section.querySelectorAll(".opblock").length] as const),
    );
    expect(sections.map(([tag]) => tag)).toEqual(document.tags.map((tag) => tag.name));
    for (const [tag, count] of sections) expect(count, String(tag)).toBeGreaterThan(0);
    const socialTags = new Map(SOCIAL_ROUTES.map((route) => [route.tag, 0]));
    for (const route of SOCIAL_ROUTES) socialTags.set(route.tag, socialTags.get(route.tag)! + 1);
    for (const [tag, count] of socialTags) expect(sections.find(([name]) => name === tag)?.[1], tag).toBe(count);
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

  it.skipIf(!hasChromium)("keeps a token given to Authorize in memory only: nothing in localStorage or sessionStorage, gone on reload", async () => {
    const password = "docs-page-passphrase-2026";
    const credentials = { username: "docsreader", password };
    expect((await request(`${worker.url}/api/auth/register/`, "POST", { ...credentials, email: "docsreader@example.com", password2: password })).status).toBe(201);
    const { access } = (await request(`${worker.url}/api/auth/login/`, "POST", credentials)).body as { access: string };

    const page = await browser.newPage({ viewport: { width: 1280, height: 1600 } });
    const authorizations: (string | undefined)[] = [];
    page.on("request", (sent) => void (sent.url().endsWith("/api/auth/profile/") && authorizations.push(sent.headers().authorization)));
    // A query parameter must not turn persistence back on either.
    await page.goto(`${worker.url}/api/docs/?persistAuthorization=true`);
    await page.waitForSelector(".opblock", { timeout: 30_000 });
    expect(await page.evaluate("window.ui.getConfigs().persistAuthorization")).toBe(false);

    await page.locator(".auth-wrapper .btn.authorize").click();
    await page.locator(".modal-ux input[type=text]").fill(access);
    await page.locator(".modal-ux .auth-btn-wrapper button.authorize").click();
    await page.locator(".modal-ux .btn-done").click();
    // The token is in use: executing profile GET (try-it-out is on) sends it.
    const profile = page.locator(".opblock-get", { has: page.locator('[data-path="/api/auth/profile/"]') });
    await profile.locator(".opblock-summary").click();
    await profile.locator("button.execute").click();
    await profile.locator(".responses-table .response-col_status", { hasText: "200" }).first().waitFor();
    expect(authorizations).toEqual([`Bearer ${access}`]);

    const stored = async () => JSON.parse(String(await page.evaluate("JSON.stringify([{ ...localStorage }, { ...sessionStorage }])"))) as Record<string, string>[];
    const [local, session] = await stored();
    expect(JSON.stringify(local)).not.toContain(access);
    expect(JSON.stringify(session)).not.toContain(access);
    expect(local).toEqual({});
    expect(session).toEqual({});

    await page.reload();
    await page.waitForSelector(".opblock", { timeout: 30_000 });
    expect(await page.evaluate("window.ui.authSelectors.authorized().size")).toBe(0);
    expect(await stored()).toEqual([{}, {}]);
    await page.close();
  });
});
