import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ENGINES, type EngineUnderTest, startEngine, verifies } from "./engines";
import { request } from "./local-worker";

const FIXTURE = "test/fixtures/django-social-media-api.sqlite3";
// ../shared/fixtures/README.md: the users of the fixture and their passwords.
const PASSWORDS = {
  alice: "wonderland-42",
  bob: "builder-can-we-fix-it",
  carol: "christmas-carol-1843",
  dave: "dave-is-disabled-7",
  root: "admin-of-the-realm-9",
};

describe.each(ENGINES)("npm run import-django on %s", (name) => {
  let engine: EngineUnderTest;
  beforeAll(async () => {
    engine = await startEngine(name);
  });
  afterAll(() => engine?.stop());

  async function importFixture(): Promise<string> {
    const run = await engine.run("import-django", [FIXTURE]);
    expect(run.status, run.stderr).toBe(0);
    return run.stdout;
  }
  const url = () => engine.worker.url;
  const login = (username: string, password: string) => request(`${url()}/api/auth/login/`, "POST", { username, password });

  it("imports the fixture's users and follows and reports what it did", async () => {
    const report = await importFixture();
    expect(report).toContain(`5 users from "accounts_customuser", 6 follows from "accounts_customuser_followers"`);
    expect(report).toContain("Imported 5 users: alice, bob, carol, dave, root.");
    expect(report).toContain("Imported 6 follows (0 were already there)");
    expect(report).toContain("profile picture profile_pics/bob.png is not copied");
    expect(report).toContain("Inactive (imported, cannot log in): dave.");
  });

  it("keeps ids, names, flags, bios, dates, picture keys and follows, with counters matching", async () => {
    const users = await engine.rows(
      "SELECT id, username, first_name, last_name, email, bio, profile_picture, is_staff, is_superuser, is_active, email_verified, date_joined, last_login, followers_count, following_count FROM users ORDER BY id",
    );
    // Django's microseconds kept to the millisecond; no picture is NULL (Django's ""); imported users count as verified.
    const user = (id: number, username: string, fields: Record<string, unknown>) => ({
      id, username, first_name: "", last_name: "", email: `${username}@example.com`, bio: null, profile_picture: null,
      is_staff: 0, is_superuser: 0, is_active: 1, email_verified: 1, last_login: null, ...fields,
    });
    expect(users).toEqual([
      user(1, "alice", { first_name: "Alice", last_name: "Liddell", bio: "Curious.", date_joined: Date.parse("2026-11-23T23:04:03.758Z"), followers_count: 3, following_count: 2 }),
      user(2, "bob", { profile_picture: "profile_pics/bob.png", date_joined: Date.parse("2026-11-23T23:04:04.308Z"), followers_count: 2, following_count: 1 }),
      user(3, "carol", { bio: "Hashed like Django 5.2.", date_joined: Date.parse("2026-11-23T23:04:04.884Z"), followers_count: 1, following_count: 1 }),
      user(4, "dave", { is_active: 0, date_joined: Date.parse("2026-11-23T23:04:05.612Z"), followers_count: 0, following_count: 1 }),
      user(5, "root", { is_staff: 1, is_superuser: 1, date_joined: Date.parse("2026-11-23T23:04:06.237Z"), followers_count: 0, following_count: 1 }),
    ]);
    const follows = await engine.rows("SELECT follower_id, followee_id FROM follows ORDER BY follower_id, followee_id");
    expect(follows).toEqual([
      { follower_id: 1, followee_id: 2 },
      { follower_id: 1, followee_id: 3 },
      { follower_id: 2, followee_id: 1 },
      { follower_id: 3, followee_id: 1 },
      { follower_id: 4, followee_id: 1 },
      { follower_id: 5, followee_id: 2 },
    ]);
  });

  it("keeps the Django hashes untouched: each verifies its user's old password (PBKDF2 260,000 and 1,000,000)", async () => {
    const rows = await engine.rows<{ username: keyof typeof PASSWORDS; password: string }>("SELECT username, password FROM users ORDER BY id");
    expect(rows.map((row) => row.password.split("$").slice(0, 2).join("$"))).toEqual([
      "pbkdf2_sha256$260000",
      "pbkdf2_sha256$260000",
      "pbkdf2_sha256$1000000",
      "pbkdf2_sha256$260000",
      "pbkdf2_sha256$260000",
    ]);
    for (const row of rows) expect(await verifies(PASSWORDS[row.username], row.password), row.username).toBe(true);
    expect(await verifies(PASSWORDS.bob, rows[0]!.password)).toBe(false);
  });

  it("lets imported users log in with their old passwords and refuses the inactive one", async () => {
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
    // A login upgrades its hash after the response: wait (a while) for the last ones.
    const upgraded = /^argon2\$argon2id\$v=19\$m=19456,t=2,p=1\$/;
    let hashes: Record<string, string> = {};
    for (const started = Date.now(); Date.now() - started < 10_000; await new Promise((done) => setTimeout(done, 100))) {
      const rows = await engine.rows<{ username: string; password: string }>("SELECT username, password FROM users ORDER BY id");
      hashes = Object.fromEntries(rows.map((row) => [row.username, row.password]));
      if (["alice", "bob", "carol", "root"].every((username) => upgraded.test(hashes[username]!))) break;
    }
    for (const username of ["alice", "bob", "carol", "root"]) expect(hashes[username], username).toMatch(/^argon2\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(hashes.dave).toMatch(/^pbkdf2_sha256\$260000\$/);
    // The upgraded hash logs in; the admin list shows last_login set only for those who logged in.
    const root = await login("root", PASSWORDS.root);
    expect(root.status).toBe(200);
    const page = await request(`${url()}/api/users/?page_size=100`, "GET", undefined, root.body.access);
    const byName = Object.fromEntries(page.body.results.map((user: { username: string }) => [user.username, user]));
    expect(byName.alice.last_login).not.toBeNull();
    expect(byName.dave.last_login).toBeNull();
  });

  it("serves the imported ids, names, flags, bios, dates and follows, with counters matching", async () => {
    const root = (await login("root", PASSWORDS.root)).body.access;
    const page = await request(`${url()}/api/users/`, "GET", undefined, root);
    expect(page.status).toBe(200);
    expect(page.body.count).toBe(5);
    const byName = Object.fromEntries(page.body.results.map((user: { username: string }) => [user.username, user]));
    expect(byName.alice).toMatchObject({ id: 1, first_name: "Alice", last_name: "Liddell", bio: "Curious.", followers_count: 3, following_count: 2, is_staff: false, is_active: true, date_joined: "2026-11-23T23:04:03.758Z" });
    expect(byName.bob).toMatchObject({ id: 2, profile_picture: `${url()}/media/profile_pics/bob.png`, followers_count: 2, following_count: 1 });
    expect(byName.carol).toMatchObject({ id: 3, bio: "Hashed like Django 5.2.", followers_count: 1, following_count: 1 });
    expect(byName.dave).toMatchObject({ id: 4, is_active: false, following_count: 1 });
    expect(byName.root).toMatchObject({ id: 5, is_staff: true, following_count: 1 });

    const followers = await request(`${url()}/api/users/1/followers/`, "GET", undefined, root);
    expect(followers.body.results.map((user: { username: string }) => user.username).sort()).toEqual(["bob", "carol", "dave"]);
    const following = await request(`${url()}/api/users/1/following/`, "GET", undefined, root);
    expect(following.body.results.map((user: { username: string }) => user.username).sort()).toEqual(["bob", "carol"]);
  });

  it("gives admin rights to the imported staff user only", async () => {
    const alice = (await login("alice", PASSWORDS.alice)).body.access;
    const refused = await request(`${url()}/api/users/`, "GET", undefined, alice);
    expect(refused.status).toBe(403);
    const root = (await login("root", PASSWORDS.root)).body.access;
    const listed = await request(`${url()}/api/users/`, "GET", undefined, root);
    expect(listed.status).toBe(200);
    // Imported users count as verified, and the superuser is one.
    expect(listed.body.results.every((user: { email_verified: boolean }) => user.email_verified)).toBe(true);
    expect(listed.body.results.find((user: { username: string }) => user.username === "root")).toMatchObject({ is_staff: true, is_superuser: true });
  });

  it("is safe to re-run: nothing duplicated, counters unchanged", async () => {
    const before = await engine.rows("SELECT id, username, followers_count, following_count FROM users ORDER BY id");
    const report = await importFixture();
    expect(report).toContain("Imported 0 users: none.");
    expect(report).toContain("Already imported (left as they are): alice, bob, carol, dave, root.");
    expect(report).toContain("Imported 0 follows (6 were already there)");
    expect(await engine.rows("SELECT id, username, followers_count, following_count FROM users ORDER BY id")).toEqual(before);
    expect(await engine.rows("SELECT count(*) AS n FROM follows")).toEqual([{ n: 6 }]);
    const root = (await login("root", PASSWORDS.root)).body.access;
    const page = await request(`${url()}/api/users/`, "GET", undefined, root);
    expect(page.body.count).toBe(5);
    expect(page.body.results.find((user: { username: string }) => user.username === "alice")).toMatchObject({ followers_count: 3, following_count: 2 });
  });

  it("gives the next user a fresh id after the imported ones (the sequence moved on)", async () => {
    const run = await engine.run("createsuperuser", ["--username", "newcomer", "--email", "newcomer@example.com"], { SUPERUSER_PASSWORD: "a-newcomer-passphrase-5" });
    expect(run.status, run.stderr).toBe(0);
    expect(await engine.rows("SELECT id, username FROM users WHERE id > 5")).toEqual([{ id: 6, username: "newcomer" }]);
  });
});
