import { spawnSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestWorker, request, startTestWorker } from "./local-worker";

let worker: TestWorker;
beforeAll(async () => {
  worker = await startTestWorker();
});
afterAll(() => worker?.stop());

const create = (username: string, password: string, email = `${username}@example.com`) =>
  worker.pausedFor(() =>
    spawnSync("npm", ["run", "--silent", "createsuperuser", "--", "--username", username, "--email", email, "--persist-to", worker.stateDir], {
      encoding: "utf8",
      env: { ...process.env, SUPERUSER_PASSWORD: password },
    }),
  );

describe("npm run createsuperuser", () => {
  it("creates an active staff user who can use the admin list", async () => {
    const run = await create("chief", "keys-to-the-kingdom-77");
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain("Superuser created successfully (local database).");
    const login = await request(`${worker.url}/api/auth/login/`, "POST", { username: "chief", password: "keys-to-the-kingdom-77" });
    expect(login.status).toBe(200);
    const list = await request(`${worker.url}/api/users/`, "GET", undefined, login.body.access);
    expect(list.status).toBe(200);
    expect(list.body.results[0]).toMatchObject({ username: "chief", is_staff: true, is_active: true });
  });

  it("refuses a weak password and a taken username, creating nothing", async () => {
    const weak = await create("deputy", "12345678");
    expect(weak.status).toBe(1);
    expect(weak.stderr).toContain("This password is too common.");
    const taken = await create("CHIEF", "another-strong-passphrase-1", "other-chief@example.com");
    expect(taken.status).toBe(1);
    expect(taken.stderr).toContain("A user with that username already exists.");
    expect((await request(`${worker.url}/api/auth/login/`, "POST", { username: "deputy", password: "12345678" })).status).toBe(401);
  });
});
