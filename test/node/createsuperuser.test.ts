import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestWorker, request, startTestWorker } from "./local-worker";

let worker: TestWorker;
beforeAll(async () => {
  worker = await startTestWorker();
});
afterAll(() => worker?.stop());

const create = (username: string, password: string, email = `${username}@example.com`, env: NodeJS.ProcessEnv = process.env) =>
  worker.pausedFor(() =>
    spawnSync("npm", ["run", "--silent", "createsuperuser", "--", "--username", username, "--email", email, "--persist-to", worker.stateDir], {
      encoding: "utf8",
      env: { ...env, SUPERUSER_PASSWORD: password },
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
    expect(list.body.results[0]).toMatchObject({ username: "chief", is_staff: true, is_superuser: true, is_active: true, email_verified: true });
  });

  it("trims the password as login does, and hands it to no child process", async () => {
    // An `npx` first on PATH that records the environment it was started with, then runs the real one.
    const spyDir = mkdtempSync(join(tmpdir(), "npx-spy-"));
    const dump = join(spyDir, "environments");
    const realNpx = spawnSync("sh", ["-c", "command -v npx"], { encoding: "utf8" }).stdout.trim();
    writeFileSync(join(spyDir, "npx"), `#!/bin/sh\nenv >> "${dump}"\nexec "${realNpx}" "$@"\n`);
    chmodSync(join(spyDir, "npx"), 0o755);
    writeFileSync(dump, "");
    const run = await create("spacey", "  padded-passphrase-42  ", "spacey@example.com", { ...process.env, PATH: `${spyDir}:${process.env.PATH}` });
    expect(run.status, run.stderr).toBe(0);
    const seen = readFileSync(dump, "utf8");
    expect(seen).toContain("PATH=");
    expect(seen).not.toContain("SUPERUSER_PASSWORD");
    expect(seen).not.toContain("padded-passphrase-42");
    for (const password of ["padded-passphrase-42", "  padded-passphrase-42  "]) {
      expect((await request(`${worker.url}/api/auth/login/`, "POST", { username: "spacey", password })).status, JSON.stringify(password)).toBe(200);
    }
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
