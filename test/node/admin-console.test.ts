/** The admin console in Debian's Chromium, against the built Worker: everything an admin does there. */
import { mkdirSync } from "node:fs";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryResults } from "../../scripts/d1";
import { codeAt, currentStep } from "../totp-code";
import { hasChromium, launchChromium } from "./browser";
import { type TestWorker, request, startTestWorker } from "./local-worker";

const PASSWORD = "console-passphrase-2026";
let worker: TestWorker;
let browser: Browser;

async function register(username: string) {
  const response = await request(`${worker.url}/api/auth/register/`, "POST", { username, email: `${username}@example.com`, password: PASSWORD, password2: PASSWORD });
  expect(response.status).toBe(201);
}
const login = (username: string) => request(`${worker.url}/api/auth/login/`, "POST", { username, password: PASSWORD });

/** Turns two-factor on for `username` through the API; the base32 secret, to compute codes with. */
async function enableTwoFactor(username: string): Promise<string> {
  const { access } = (await login(username)).body;
  const setup = await request(`${worker.url}/api/auth/2fa/totp/setup/`, "POST", { current_password: PASSWORD }, access);
  expect(setup.status).toBe(200);
  const confirm = await request(`${worker.url}/api/auth/2fa/totp/confirm/`, "POST", { code: codeAt(setup.body.secret, currentStep() - 1) }, access);
  expect(confirm.status).toBe(200);
  return setup.body.secret;
}
const secrets: Record<string, string> = {};

beforeAll(async () => {
  worker = await startTestWorker();
  for (const name of ["staffer", "boss", "target", "plain", "bystander", "guarded", "sentinel", "linked"]) await register(name);
  // `linked` has two social accounts, linked out of order (the API sorts them).
  const links = ["local", "github"].map((provider) => `INSERT INTO social_accounts (user_id, provider, uid, created_at) SELECT id, '${provider}', 'console-${provider}', 0 FROM users WHERE username = 'linked'`);
  await worker.pausedFor(() =>
    queryResults(`UPDATE users SET is_staff = 1 WHERE username IN ('staffer', 'boss', 'sentinel'); UPDATE users SET is_superuser = 1 WHERE username = 'boss'; ${links.join("; ")}`, {
      remote: false,
      persistTo: worker.stateDir,
    }),
  );
  for (const name of ["guarded", "sentinel"]) secrets[name] = await enableTwoFactor(name);
  if (hasChromium) browser = await launchChromium();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await worker?.stop();
});

async function open(): Promise<{ page: Page; requested: string[]; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  const requested: string[] = [];
  const errors: string[] = [];
  page.on("request", (r) => void requested.push(r.url()));
  page.on("pageerror", (e) => void errors.push(e.message));
  page.on("console", (m) => void (m.type() === "error" && errors.push(m.text())));
  await page.goto(`${worker.url}/admin/`);
  return { page, requested, errors };
}

async function signIn(page: Page, username: string) {
  await page.getByLabel("Username", { exact: true }).fill(username);
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.keyboard.press("Enter");
}

describe("the admin console in Chromium", () => {
  it.skipIf(!hasChromium)("signs a staff user in, searches, deactivates and reactivates a user, with no request leaving the origin", async () => {
    const { page, requested, errors } = await open();
    await signIn(page, "staffer");
    await page.getByRole("heading", { name: "Users" }).waitFor();
    expect(await page.locator("#who").textContent()).toBe("Signed in as staffer");
    expect(await page.locator("#rows tr").count()).toBe(8);
    mkdirSync("test-results", { recursive: true });
    await page.screenshot({ path: "test-results/admin-list.png" });

    await page.getByLabel("Search username or email").fill("targ");
    await page.getByRole("button", { name: "Search" }).click();
    await page.locator("#rows tr").first().waitFor();
    await expect.poll(() => page.locator("#rows tr").count()).toBe(1);
    // Keyboard: focus the user's button and open it with Enter.
    await page.getByRole("button", { name: "target" }).focus();
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { name: "User target" }).waitFor();
    // Staff who are not superusers see neither the staff toggle nor deletion.
    expect(await page.locator("#toggle-staff").isVisible()).toBe(false);
    expect(await page.locator("#delete").isVisible()).toBe(false);
    await page.screenshot({ path: "test-results/admin-detail.png" });

    const before = await login("target");
    await page.getByRole("button", { name: "Deactivate" }).click();
    await page.getByText("Deactivated: every session of this user has ended.").waitFor();
    expect((await request(`${worker.url}/api/auth/profile/`, "GET", undefined, before.body.access)).status).toBe(401);
    expect((await login("target")).status).toBe(401);
    await page.getByRole("button", { name: "Activate" }).click();
    await page.getByText("Activated.").waitFor();
    expect((await login("target")).status).toBe(200);

    const origin = new URL(worker.url).origin;
    expect(requested.filter((url) => new URL(url).origin !== origin)).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });

  it.skipIf(!hasChromium)("lets a superuser grant staff and delete a user after typing their username", async () => {
    const { page, errors } = await open();
    await signIn(page, "boss");
    await page.getByRole("heading", { name: "Users" }).waitFor();
    await page.getByRole("button", { name: "bystander" }).click();
    await page.getByRole("button", { name: "Grant staff" }).click();
    await page.getByText("Staff granted.").waitFor();
    await page.getByLabel("Type the username to delete this user").fill("bystande");
    await page.getByRole("button", { name: "Delete user" }).click();
    await page.getByText("Type the user's username exactly to delete them.").waitFor();
    await page.getByLabel("Type the username to delete this user").fill("bystander");
    await page.getByRole("button", { name: "Delete user" }).click();
    await page.getByText("Deleted bystander.").waitFor();
    expect((await login("bystander")).status).toBe(401);
    expect(await page.getByRole("button", { name: "bystander" }).count()).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  });

  it.skipIf(!hasChromium)("refuses a non-staff account and a wrong password with clear messages, and keeps tokens out of localStorage", async () => {
    const { page } = await open();
    await signIn(page, "plain");
    await page.getByText("This account is not staff: the console is for admins.").waitFor();
    expect(await page.locator("#users").isVisible()).toBe(false);
    await page.getByLabel("Username", { exact: true }).fill("staffer");
    await page.getByLabel("Password", { exact: true }).fill("not-the-password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByText("Wrong username or password.").waitFor();
    await signIn(page, "staffer");
    await page.getByRole("heading", { name: "Users" }).waitFor();
    expect(await page.evaluate("JSON.stringify(localStorage)")).toBe("{}");
    expect(await page.evaluate("sessionStorage.getItem('admin-tokens') !== null")).toBe(true);
    // A narrow screen still shows the table (scrolling sideways inside it, not the page).
    await page.setViewportSize({ width: 380, height: 800 });
    expect(await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")).toBe(true);
    const headers = (await fetch(`${worker.url}/admin/`)).headers;
    expect(headers.get("Content-Security-Policy")).toContain("script-src 'self'");
    await page.close();
  });

  it.skipIf(!hasChromium)("signs a staff user with two-factor in with a code, shows each user's sign-in methods, and lets a superuser turn two-factor off", async () => {
    const { page, requested, errors } = await open();
    // A staff user with two-factor on: the password, then the code.
    await signIn(page, "sentinel");
    await page.getByRole("heading", { name: "Two-factor authentication" }).waitFor();
    await page.getByLabel("Code from your authenticator app, or a recovery code").fill(codeAt(secrets.sentinel!, currentStep()));
    await page.getByRole("button", { name: "Verify" }).click();
    await page.getByRole("heading", { name: "Users" }).waitFor();
    expect(await page.locator("#who").textContent()).toBe("Signed in as sentinel");
    // The list says how each user signs in.
    const methods = await page.locator("#rows tr").evaluateAll((rows) =>
      Object.fromEntries(rows.map((row) => [row.children[0]!.textContent, row.children[6]!.textContent])),
    );
    expect(methods).toMatchObject({ guarded: "password + two-factor", target: "password", sentinel: "password + two-factor" });
    await page.screenshot({ path: "test-results/admin-mfa-list.png" });
    await page.getByRole("button", { name: "Sign out" }).click();

    await signIn(page, "boss");
    await page.getByRole("heading", { name: "Users" }).waitFor();
    await page.getByRole("button", { name: "guarded" }).click();
    await page.getByRole("heading", { name: "User guarded" }).waitFor();
    const field = (term: string) => page.locator(`#fields dt:text-is("${term}") + dd`).textContent();
    expect(await field("Password")).toBe("usable");
    expect(await field("Two-factor")).toBe("on (TOTP)");
    expect(await field("Social accounts")).toBe("none");
    expect(await field("Passkeys")).toBe("0");
    mkdirSync("test-results", { recursive: true });
    await page.screenshot({ path: "test-results/admin-mfa-detail.png", fullPage: true });
    expect((await login("guarded")).body).toEqual({ mfa_required: true, mfa_token: expect.any(String) });
    await page.getByRole("button", { name: "Turn two-factor off" }).click();
    await page.getByText("Two-factor turned off: its secret and recovery codes are deleted.").waitFor();
    expect(await field("Two-factor")).toBe("off");
    expect(await page.locator("#mfa-off").isVisible()).toBe(false);
    expect((await login("guarded")).body).toEqual({ refresh: expect.any(String), access: expect.any(String) });

    const origin = new URL(worker.url).origin;
    expect(requested.filter((url) => new URL(url).origin !== origin)).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });

  it.skipIf(!hasChromium)("shows a user's linked social accounts in the list and on their page", async () => {
    const { page, errors } = await open();
    await signIn(page, "staffer");
    await page.getByRole("heading", { name: "Users" }).waitFor();
    const row = page.locator("#rows tr", { has: page.getByRole("button", { name: "linked", exact: true }) });
    expect(await row.locator("td").nth(6).textContent()).toBe("password, github, local");
    await page.getByRole("button", { name: "linked", exact: true }).click();
    await page.getByRole("heading", { name: "User linked" }).waitFor();
    expect(await page.locator("#fields dt:text-is('Social accounts') + dd").textContent()).toBe("github, local");
    expect(await page.locator("#fields dt:text-is('Password') + dd").textContent()).toBe("usable");
    expect(errors).toEqual([]);
    await page.close();
  });

  it.skipIf(!hasChromium)("hides the two-factor switch from staff who are not superusers", async () => {
    const { page, errors } = await open();
    await signIn(page, "staffer");
    await page.getByRole("heading", { name: "Users" }).waitFor();
    await page.getByRole("button", { name: "sentinel" }).click();
    await page.getByRole("heading", { name: "User sentinel" }).waitFor();
    expect(await page.locator("#fields dt:text-is('Two-factor') + dd").textContent()).toBe("on (TOTP)");
    expect(await page.locator("#mfa-off").isVisible()).toBe(false);
    expect(errors).toEqual([]);
    await page.close();
  });
});
