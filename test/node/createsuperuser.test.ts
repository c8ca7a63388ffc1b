import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ENGINES, type EngineUnderTest, startEngine, verifies } from "./engines";
import { request } from "./local-worker";

interface UserRow {
  username: string;
  email: string;
  password: string;
  is_staff: number;
  is_superuser: number;
  is_active: number;
  email_verified: number;
}
const USERS = "SELECT username, email, password, is_staff, is_superuser, is_active, email_verified FROM users ORDER BY id";

describe.each(ENGINES)("npm run createsuperuser on %s", (name) => {
  let engine: EngineUnderTest;
  beforeAll(async () => {
    engine = await startEngine(name);
  });
  afterAll(() => engine?.stop());

  const create = (username: string, password: string, email = `${username}@example.com`, env: NodeJS.ProcessEnv = {}) =>
    engine.run("createsuperuser", ["--username", username, "--email", email], { ...env, SUPERUSER_PASSWORD: password });
  const login = (username: string, password: string) => request(`${engine.worker.url}/api/auth/login/`, "POST", { username, password });

  it("creates an active staff superuser, email verified, whose stored hash verifies the password", async () => {
    const run = await create("chief", "keys-to-the-kingdom-77");
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain(`Superuser created successfully (${engine.where}).`);
    const [row, ...others] = await engine.rows<UserRow>(USERS);
    expect(others).toEqual([]);
    expect(row).toEqual({ username: "chief", email: "chief@example.com", password: expect.stringMatching(/^argon2\$argon2id\$v=19\$m=19456,t=2,p=1\$/), is_staff: 1, is_superuser: 1, is_active: 1, email_verified: 1 });
    expect(await verifies("keys-to-the-kingdom-77", row!.password)).toBe(true);
    expect(await verifies("keys-to-the-kingdom-78", row!.password)).toBe(false);
  });

  it("makes a user who logs in and can use the admin list", async () => {
    const signedIn = await login("chief", "keys-to-the-kingdom-77");
    expect(signedIn.status).toBe(200);
    const list = await request(`${engine.worker.url}/api/users/`, "GET", undefined, signedIn.body.access);
    expect(list.status).toBe(200);
    expect(list.body.results[0]).toMatchObject({ username: "chief", is_staff: true, is_superuser: true, is_active: true, email_verified: true });
  });

  it("trims the password as login does", async () => {
    const run = await create("spacey", "  padded-passphrase-42  ", "spacey@example.com");
    expect(run.status, run.stderr).toBe(0);
    const [row] = await engine.rows<UserRow>(`${USERS.replace(" ORDER BY id", "")} WHERE username = 'spacey'`);
    // Hashed trimmed: login trims what it is given the same way, so both spellings log in.
    expect(await verifies("padded-passphrase-42", row!.password)).toBe(true);
    expect(await verifies("  padded-passphrase-42  ", row!.password)).toBe(false);
    for (const password of ["padded-passphrase-42", "  padded-passphrase-42  "]) expect((await login("spacey", password)).status, JSON.stringify(password)).toBe(200);
  });

  it("refuses a weak password, a taken username and a taken email (any letter case), creating nothing", async () => {
    const before = await engine.rows<UserRow>(USERS);
    const weak = await create("deputy", "12345678");
    expect(weak.status).toBe(1);
    expect(weak.stderr).toContain("This password is too common.");
    const taken = await create("CHIEF", "another-strong-passphrase-1", "other-chief@example.com");
    expect(taken.status).toBe(1);
    expect(taken.stderr).toContain("Error: A user with that username already exists.");
    const takenEmail = await create("vice", "another-strong-passphrase-1", "Chief@Example.com");
    expect(takenEmail.status).toBe(1);
    expect(takenEmail.stderr).toContain("Error: A user with that email already exists.");
    expect(await engine.rows<UserRow>(USERS)).toEqual(before);
    expect((await login("deputy", "12345678")).status).toBe(401);
  });

  // With --postgres and DATABASE_URL no child process is started (without it, the local server's
  // postgres is, after the password has left this process's environment).
  if (name === "D1") {
    it("hands the password to no child process (wrangler runs as one)", async () => {
      // An `npx` first on PATH that records the environment it was started with, then runs the real one.
      const spyDir = mkdtempSync(join(tmpdir(), "npx-spy-"));
      const dump = join(spyDir, "environments");
      const realNpx = spawnSync("sh", ["-c", "command -v npx"], { encoding: "utf8" }).stdout.trim();
      writeFileSync(join(spyDir, "npx"), `#!/bin/sh\nenv >> "${dump}"\nexec "${realNpx}" "$@"\n`);
      chmodSync(join(spyDir, "npx"), 0o755);
      writeFileSync(dump, "");
      const run = await engine.run("createsuperuser", ["--username", "spied", "--email", "spied@example.com"], {
        SUPERUSER_PASSWORD: "  padded-passphrase-42  ",
        PATH: `${spyDir}:${process.env.PATH}`,
      });
      expect(run.status, run.stderr).toBe(0);
      const seen = readFileSync(dump, "utf8");
      expect(seen).toContain("PATH=");
      expect(seen).not.toContain("SUPERUSER_PASSWORD");
      expect(seen).not.toContain("padded-passphrase-42");
    });
  }
});
