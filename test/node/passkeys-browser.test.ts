/**
 * Passkeys end to end in Debian's Chromium, against the built Worker: a CDP virtual authenticator
 * (CTAP2, internal, resident keys, user verification) registers a passkey for a signed-in user
 * from a page of the origin, then signs in with it with no username, and a replay of that
 * assertion is refused. WebAuthn needs a domain: the origin is http://localhost:<port> (a secure
 * context), which PUBLIC_URL names, so the relying party is `localhost`.
 */
import type { Browser, CDPSession, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryResults } from "../../scripts/d1";
import { freePort } from "../../scripts/postgres/local.mjs";
import { hasChromium, launchChromium } from "./browser";
import { type TestWorker, request, startTestWorker } from "./local-worker";

/** The browser's WebAuthn API, as the page scripts below use it (the Node project has no DOM types). */
interface PageCredential {
  toJSON(): unknown;
}
declare const navigator: { credentials: { create(options: object): Promise<PageCredential>; get(options: object): Promise<PageCredential> } };
declare const PublicKeyCredential: { parseCreationOptionsFromJSON(options: unknown): object; parseRequestOptionsFromJSON(options: unknown): object };

const PASSWORD = "passkey-passphrase-2026";
let worker: TestWorker;
let browser: Browser;
let origin: string;

beforeAll(async () => {
  const port = (await freePort()) as number;
  origin = `http://localhost:${port}`;
  worker = await startTestWorker({ PUBLIC_URL: origin }, { port });
  for (const username of ["passkey-owner", "console-staff"]) {
    const registered = await request(`${worker.url}/api/auth/register/`, "POST", { username, email: `${username}@example.com`, password: PASSWORD, password2: PASSWORD });
    expect(registered.status).toBe(201);
  }
  await worker.pausedFor(() => queryResults("UPDATE users SET is_staff = 1 WHERE username = 'console-staff'", { remote: false, persistTo: worker.stateDir }));
  if (hasChromium) browser = await launchChromium();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await worker?.stop();
});

/** A page of the origin (the admin console: its CSP lets scripts call this origin) with a virtual authenticator of its own. */
async function pageWithAuthenticator(): Promise<{ page: Page; cdp: CDPSession; authenticatorId: string }> {
  const page = await browser.newPage();
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("WebAuthn.enable");
  const { authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: { protocol: "ctap2", transport: "internal", hasResidentKey: true, hasUserVerification: true, isUserVerified: true },
  });
  await page.goto(`${origin}/admin/`);
  return { page, cdp, authenticatorId };
}

interface Answer {
  status: number;
  body: any;
}

/** In the page: register/options, `navigator.credentials.create()`, register. */
function registerInPage(page: Page, access: string): Promise<Answer> {
  return page.evaluate(async (token) => {
    const auth = { Authorization: `Bearer ${token}` };
    const options = await (await fetch("/api/auth/passkeys/register/options/", { method: "POST", headers: auth })).json();
    const created = (await navigator.credentials.create({ publicKey: PublicKeyCredential.parseCreationOptionsFromJSON(options) }));
    const response = await fetch("/api/auth/passkeys/register/", {
      method: "POST",
      headers: { ...auth, "Content-Type": "application/json" },
      body: JSON.stringify({ credential: created.toJSON(), name: "Chromium" }),
    });
    return { status: response.status, body: await response.json() };
  }, access);
}

/** In the page, with no username: login/options, `navigator.credentials.get()`, login; then the same assertion again. */
function loginInPage(page: Page): Promise<{ first: Answer; replay: Answer; allowCredentials: unknown }> {
  return page.evaluate(async () => {
    const options = (await (await fetch("/api/auth/passkeys/login/options/", { method: "POST" })).json()) as { allowCredentials?: unknown };
    const asserted = (await navigator.credentials.get({ publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(options) }));
    const body = JSON.stringify({ credential: asserted.toJSON() });
    const send = async () => {
      const response = await fetch("/api/auth/passkeys/login/", { method: "POST", headers: { "Content-Type": "application/json" }, body });
      return { status: response.status, body: await response.json() };
    };
    const first = await send();
    return { first, replay: await send(), allowCredentials: options.allowCredentials };
  });
}

describe("passkeys in Chromium", () => {
  it.skipIf(!hasChromium)("registers a passkey for a signed-in user, signs in with it with no username, refuses a replay; the admin console shows it", async () => {
    const username = "passkey-owner";
    const { access } = (await request(`${worker.url}/api/auth/login/`, "POST", { username, password: PASSWORD })).body;
    const me = (await request(`${worker.url}/api/auth/profile/`, "GET", undefined, access)).body;

    const { page, cdp, authenticatorId } = await pageWithAuthenticator();
    const registration = await registerInPage(page, access);
    expect(registration).toEqual({ status: 201, body: { id: expect.any(Number), name: "Chromium", created: expect.any(String), last_used: null } });
    // The authenticator holds a discoverable credential for this relying party.
    const { credentials } = await cdp.send("WebAuthn.getCredentials", { authenticatorId });
    expect(credentials).toHaveLength(1);
    expect(credentials[0]).toMatchObject({ isResidentCredential: true, rpId: "localhost" });
    const countAfterRegistration = credentials[0]!.signCount;

    const { first, replay, allowCredentials } = await loginInPage(page);
    expect(allowCredentials).toBeUndefined();
    expect(first).toEqual({ status: 200, body: { refresh: expect.any(String), access: expect.any(String) } });
    const profile = await request(`${worker.url}/api/auth/profile/`, "GET", undefined, first.body.access);
    expect(profile).toMatchObject({ status: 200, body: { id: me.id, username } });
    expect(replay).toEqual({ status: 400, body: { non_field_errors: ["Invalid passkey."] } });

    const listed = await request(`${worker.url}/api/auth/passkeys/`, "GET", undefined, first.body.access);
    expect(listed.body).toEqual({ results: [{ ...registration.body, last_used: expect.any(String) }] });
    // The authenticator's counter grew, and the server moved to it.
    const after = (await cdp.send("WebAuthn.getCredentials", { authenticatorId })).credentials[0]!;
    expect(after.signCount).toBeGreaterThan(countAfterRegistration);

    // A second registration on the same authenticator is refused by the browser itself: the passkey is excluded.
    const again = await page.evaluate(async (token) => {
      const options = await (await fetch("/api/auth/passkeys/register/options/", { method: "POST", headers: { Authorization: `Bearer ${token}` } })).json();
      try {
        await navigator.credentials.create({ publicKey: PublicKeyCredential.parseCreationOptionsFromJSON(options) });
        return "created";
      } catch (error) {
        return (error as Error).name;
      }
    }, access);
    expect(again).toBe("InvalidStateError");

    // The admin console, signed in as staff: the user's sign-in methods count the passkey.
    await page.getByLabel("Username", { exact: true }).fill("console-staff");
    await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { name: "Users" }).waitFor();
    const methods = await page.locator("#rows tr").evaluateAll((rows) => Object.fromEntries(rows.map((row) => [row.children[0]!.textContent, row.children[6]!.textContent])));
    expect(methods).toEqual({ "passkey-owner": "password, 1 passkey", "console-staff": "password" });
    await page.getByRole("button", { name: username }).click();
    await page.getByRole("heading", { name: `User ${username}` }).waitFor();
    expect(await page.locator(`#fields dt:text-is("Passkeys") + dd`).textContent()).toBe("1");
    await page.close();
  });
});
