import { spawnSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryResults } from "../../scripts/d1";
import { type TestWorker, request, startTestWorker } from "./local-worker";

const FIXTURE = "test/fixtures/django-social-media-api.sqlite3";
// ../shared/fixtures/README.md: the users of the fixture and their passwords.
const PASSWORDS = {
  alice: "wonderland-42",
  bob: "builder-can-we-fix-it",
  carol: "christmas-carol-1843",
  dave: "dave-is-disabled-7",
  root: "admin-of-the-realm-9",
};

let worker: TestWorker;

async function importFixture(): Promise<string> {
  const run = await worker.pausedFor(() =>
    spawnSync("npm", ["run", "--silent", "import-django", "--", FIXTURE, "--persist-to", worker.stateDir], { encoding: "utf8" }),
  );
  expect(run.status, run.stderr).toBe(0);
  return run.stdout;
}

const login = (username: string, password: string) => request(`${worker.url}/api/auth/login/`, "POST", { username, password });

beforeAll(async () => {
  worker = await startTestWorker();
});
afterAll(() => worker?.stop());

describe("npm run import-django", () => {
  it("imports the fixture's users and follows and reports what it did", async () => {
    const report = await importFixture();
    expect(report).toContain(`5 users from "accounts_customuser", 6 follows from "accounts_customuser_followers"`);
    expect(report).toContain("Imported 5 users: alice, bob, carol, dave, root.");
    expect(report).toContain("Imported 6 follows (0 were already there)");
    expect(report).toContain("profile picture profile_pics/bob.png is not copied");
    expect(report).toContain("Inactive (imported, cannot log in): dave.");
  });

  it("lets imported users log in with their old passwords (PBKDF2 260,000 and 1,000,000) and refuses the inactive one", async () => {
    for (const username of ["alice", "bob", "carol", "root"] as const) {
      const response = await login(username, PASSWORDS[username]);
      expect(response.status, username).toBe(200);
    }
    const dave = await login("dave", PASSWORDS.dave);
    expect(dave.status).toBe(401);
    expect(dave.body).toEqual({ detail: "No active account found with the given credentials" });
    expect((await login("alice", "wrong-password")).status).toBe(401);
  });

  it("upgrades the hashes of those who logged in, and leaves the others untouched", async () => {
    const [rows] = await worker.pausedFor(() =>
      queryResults("SELECT username, password FROM users ORDER BY id", { remote: false, persistTo: worker.stateDir }),
    );
    const hashes = Object.fromEntries((rows as { username: string; password: string }[]).map((row) => [row.username, row.password]));
    for (const username of ["alice", "bob", "carol", "root"]) expect(hashes[username], username).toMatch(/^argon2\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(hashes.dave).toMatch(/^pbkdf2_sha256\$260000\$/);
    // The upgraded hash logs in; the admin list shows last_login set only for those who logged in.
    const root = await login("root", PASSWORDS.root);
    expect(root.status).toBe(200);
    const page = await request(`${worker.url}/api/users/?page_size=100`, "GET", undefined, root.body.access);
    const byName = Object.fromEntries(page.body.results.map((user: { username: string }) => [user.username, user]));
    expect(byName.alice.last_login).not.toBeNull();
    expect(byName.dave.last_login).toBeNull();
  });

  it("keeps ids, names, flags, bios, dates and follows, with counters matching", async () => {
    const root = (await login("root", PASSWORDS.root)).body.access;
    const page = await request(`${worker.url}/api/users/`, "GET", undefined, root);
    expect(page.status).toBe(200);
    expect(page.body.count).toBe(5);
    const byName = Object.fromEntries(page.body.results.map((user: { username: string }) => [user.username, user]));
    expect(byName.alice).toMatchObject({ id: 1, first_name: "Alice", last_name: "Liddell", bio: "Curious.", followers_count: 3, following_count: 2, is_staff: false, is_active: true, date_joined: "2026-11-23T23:04:03.758Z" });
    expect(byName.bob).toMatchObject({ id: 2, profile_picture: `${worker.url}/media/profile_pics/bob.png`, followers_count: 2, following_count: 1 });
    expect(byName.carol).toMatchObject({ id: 3, bio: "Hashed like Django 5.2.", followers_count: 1, following_count: 1 });
    expect(byName.dave).toMatchObject({ id: 4, is_active: false, following_count: 1 });
    expect(byName.root).toMatchObject({ id: 5, is_staff: true, following_count: 1 });

    const followers = await request(`${worker.url}/api/users/1/followers/`, "GET", undefined, root);
    expect(followers.body.results.map((user: { username: string }) => user.username).sort()).toEqual(["bob", "carol", "dave"]);
    const following = await request(`${worker.url}/api/users/1/following/`, "GET", undefined, root);
    expect(following.body.results.map((user: { username: string }) => user.username).sort()).toEqual(["bob", "carol"]);
  });

  it("gives admin rights to the imported staff user only", async () => {
    const alice = (await login("alice", PASSWORDS.alice)).body.access;
    const refused = await request(`${worker.url}/api/users/`, "GET", undefined, alice);
    expect(refused.status).toBe(403);
    const root = (await login("root", PASSWORDS.root)).body.access;
    const listed = await request(`${worker.url}/api/users/`, "GET", undefined, root);
    expect(listed.status).toBe(200);
    // Imported users count as verified, and the superuser is one.
    expect(listed.body.results.every((user: { email_verified: boolean }) => user.email_verified)).toBe(true);
    expect(listed.body.results.find((user: { username: string }) => user.username === "root")).toMatchObject({ is_staff: true, is_superuser: true });
  });

  it("is safe to re-run: nothing duplicated, counters unchanged", async () => {
    const report = await importFixture();
    expect(report).toContain("Imported 0 users: none.");
    expect(report).toContain("Already imported (left as they are): alice, bob, carol, dave, root.");
    expect(report).toContain("Imported 0 follows (6 were already there)");
    const root = (await login("root", PASSWORDS.root)).body.access;
    const page = await request(`${worker.url}/api/users/`, "GET", undefined, root);
    expect(page.body.count).toBe(5);
    expect(page.body.results.find((user: { username: string }) => user.username === "alice")).toMatchObject({ followers_count: 3, following_count: 2 });
  });
});
