/** The password-reset page in Debian's Chromium: open a reset link, choose a password, log in with it. */
import { mkdirSync } from "node:fs";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryResults } from "../../scripts/d1";
import { encodeUid, makeResetToken } from "../../src/auth/reset-tokens";
import { makeVerificationKey } from "../../src/auth/verification-keys";
import { hasChromium, launchChromium } from "./browser";
import { TEST_SECRET, type TestWorker, request, startTestWorker } from "./local-worker";

const PASSWORD = "before-the-reset-passphrase-1";
const NEW_PASSWORD = "after-the-reset-passphrase-2";
let worker: TestWorker;
let browser: Browser;

beforeAll(async () => {
  worker = await startTestWorker();
  const registered = await request(`${worker.url}/api/auth/register/`, "POST", { username: "forgetful", email: "forgetful@example.com", password: PASSWORD, password2: PASSWORD });
  expect(registered.status).toBe(201);
  if (hasChromium) browser = await launchChromium();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await worker?.stop();
});

/** The link the reset mail carries: made by the Worker's own token code from the user's row and JWT_SECRET. */
async function resetLink(): Promise<string> {
  const [[row]] = (await worker.pausedFor(() =>
    queryResults("SELECT id, password, last_login AS lastLogin, email FROM users WHERE username = 'forgetful'", { remote: false, persistTo: worker.stateDir }),
  )) as [[{ id: number; password: string; lastLogin: number | null; email: string }]];
  const token = await makeResetToken({ ...row, lastLogin: row.lastLogin === null ? null : new Date(row.lastLogin) }, TEST_SECRET);
  return `${worker.url}/account/reset/${encodeUid(row.id)}/${token}/`;
}

describe("the password-reset page in Chromium", () => {
  it.skipIf(!hasChromium)("sets the new password from the link, which then logs in through the API, and refuses the used link", async () => {
    const link = await resetLink();
    const page = await browser.newPage({ viewport: { width: 390, height: 760 } });
    const requested: string[] = [];
    const errors: string[] = [];
    page.on("request", (r) => void requested.push(r.url()));
    page.on("pageerror", (e) => void errors.push(e.message));
    await page.goto(link);
    await page.getByLabel("New password", { exact: true }).fill(NEW_PASSWORD);
    await page.getByLabel("New password again").fill(NEW_PASSWORD);
    mkdirSync("test-results", { recursive: true });
    await page.screenshot({ path: "test-results/reset-page.png" });
    await page.getByRole("button", { name: "Save the new password" }).click();
    await page.getByText("Password has been reset with the new password. You can now sign in with it.").waitFor();
    await page.screenshot({ path: "test-results/reset-page-done.png" });
    expect((await request(`${worker.url}/api/auth/login/`, "POST", { username: "forgetful", password: NEW_PASSWORD })).status).toBe(200);
    expect((await request(`${worker.url}/api/auth/login/`, "POST", { username: "forgetful", password: PASSWORD })).status).toBe(401);

    await page.goto(link);
    await page.getByLabel("New password", { exact: true }).fill("third-passphrase-of-mine-3");
    await page.getByLabel("New password again").fill("third-passphrase-of-mine-3");
    await page.getByRole("button", { name: "Save the new password" }).click();
    await page.getByText("This link is no longer valid").waitFor();
    const origin = new URL(worker.url).origin;
    expect(requested.filter((url) => new URL(url).origin !== origin)).toEqual([]);
    expect(errors).toEqual([]);
    const headers = (await fetch(link)).headers;
    expect(headers.get("Content-Security-Policy")).toContain("script-src 'self'");
    expect(headers.get("Content-Security-Policy")).not.toContain("unsafe-inline");
    await page.close();
  });
});

describe("the email-verification page in Chromium", () => {
  let verifying: TestWorker;
  beforeAll(async () => {
    verifying = await startTestWorker({ EMAIL_VERIFICATION: "mandatory" });
  }, 120_000);
  afterAll(() => verifying?.stop());

  it.skipIf(!hasChromium)("confirms the address from the link at a press of the button, after which login works", async () => {
    const registered = await request(`${verifying.url}/api/auth/register/`, "POST", { username: "newcomer", email: "newcomer@example.com", password: PASSWORD, password2: PASSWORD });
    expect(registered.status).toBe(201);
    const refused = await request(`${verifying.url}/api/auth/login/`, "POST", { username: "newcomer", password: PASSWORD });
    expect(refused).toMatchObject({ status: 400, body: { non_field_errors: ["E-mail is not verified."] } });
    const [[row]] = (await verifying.pausedFor(() =>
      queryResults("SELECT id, email FROM users WHERE username = 'newcomer'", { remote: false, persistTo: verifying.stateDir }),
    )) as [[{ id: number; email: string }]];
    const key = await makeVerificationKey(row, TEST_SECRET);
    const page = await browser.newPage({ viewport: { width: 390, height: 760 } });
    const requested: string[] = [];
    page.on("request", (r) => void requested.push(r.url()));
    await page.goto(`${verifying.url}/account/verify-email/${key}/`);
    // Opening the link alone confirms nothing.
    expect((await request(`${verifying.url}/api/auth/login/`, "POST", { username: "newcomer", password: PASSWORD })).status).toBe(400);
    await page.getByRole("button", { name: "Confirm my address" }).click();
    await page.getByText("Thank you: your email address is confirmed.").waitFor();
    await page.screenshot({ path: "test-results/verify-page.png" });
    expect((await request(`${verifying.url}/api/auth/login/`, "POST", { username: "newcomer", password: PASSWORD })).status).toBe(200);
    expect(requested.filter((url) => new URL(url).origin !== new URL(verifying.url).origin)).toEqual([]);
    await page.close();
  });
});
