/** `import-django` on a hostile database file: names, hashes and texts chosen by an attacker. */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import initSqlJs from "sql.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ENGINES, type EngineUnderTest, startEngine } from "./engines";

const TABLE = 'evil"users; drop table users; --';
const PBKDF2 = "pbkdf2_sha256$260000$c2FsdA$Yjk1MjU4YWYxZjQ1ZDNkNmRlZGZkODgxOWNkNjAyMTg=";
const MD5 = "5f4dcc3b5aa765d61d8327deb882cf99";

async function hostileDatabase(): Promise<string> {
  const SQL = await initSqlJs();
  const db = new SQL.Database();
  const t = `"${TABLE.replaceAll('"', '""')}"`;
  db.run(`create table ${t} (id integer primary key, password text, last_login text, is_superuser bool, username text, first_name text,
    last_name text, email text, is_staff bool, is_active bool, date_joined text, bio text, profile_picture text)`);
  const follows = `"${`${TABLE}_followers`.replaceAll('"', '""')}"`;
  db.run(`create table ${follows} (id integer primary key, from_customuser_id integer, to_customuser_id integer)`);
  const insert = db.prepare(`insert into ${t} values (?, ?, null, 0, ?, '', '', ?, 0, 1, '2024-01-01 00:00:00', null, ?)`);
  const users: [number, string, string, string, string][] = [
    [1, PBKDF2, "\uFB01ne", "fine@example.com", "profile_pics/$(touch /tmp/pwned).png"],
    [2, MD5, "md5user", "md5@example.com", ""],
    [3, PBKDF2, "bad name!", "bad@example.com", ""],
    [4, PBKDF2, "\u001b[31mred", "red@example.com", ""],
    [5, PBKDF2, "picture_ok", "pic@example.com", "profile_pics/holiday.png"],
  ];
  for (const user of users) insert.run(user);
  insert.free();
  db.run(`insert into ${follows} (from_customuser_id, to_customuser_id) values (1, 2), (2, 3), (3, 1)`);
  const dir = mkdtempSync(join(tmpdir(), "hostile-"));
  const path = join(dir, "db.sqlite3");
  writeFileSync(path, db.export());
  db.close();
  return path;
}

describe.each(ENGINES)("npm run import-django on a hostile file, into %s", (name) => {
  let engine: EngineUnderTest;
  beforeAll(async () => {
    engine = await startEngine(name);
  });
  afterAll(() => engine?.stop());

  it("quotes identifiers, validates and normalises usernames, never prints a hash, shell-quotes commands and escapes text", async () => {
    const path = await hostileDatabase();
    const run = await engine.run("import-django", [path]);
    rmSync(dirname(path), { recursive: true, force: true });
    expect(run.status, run.stderr).toBe(0);
    const report = run.stdout;
    // The table named with SQL in it was read as a name.
    expect(report).toContain(`5 users from ${JSON.stringify(TABLE)}`);
    // Usernames: NFKC first, then the validator; failures reported (escaped) and not imported.
    expect(report).toContain("Imported 3 users: fine, md5user, picture_ok.");
    expect(report).toContain('Skipped user "bad name!" (id 3): username is not valid here');
    expect(report).toContain('Skipped user "\\u001b[31mred" (id 4): username is not valid here');
    expect(report).not.toContain("\u001b");
    // No hash, not even one without a `$`.
    expect(report).not.toContain(MD5);
    expect(report).not.toContain("Yjk1MjU4");
    expect(report).toContain("md5user: password hash in an unrecognised format cannot be verified here");
    // A picture key this service would not serve is dropped, shown quoted; a good one gets a quoted command.
    expect(report).toContain('fine: profile picture "profile_pics/$(touch /tmp/pwned).png" is not a key this service serves');
    expect(report).toContain(`npx wrangler r2 object put 'social-media-api-media/profile_pics/holiday.png' --file "$MEDIA_ROOT"/'profile_pics/holiday.png'`);
    expect(report).toContain("Skipped follow 3 -> 2: one of the two users was not imported.");

    expect(await engine.rows("SELECT id, username, profile_picture FROM users ORDER BY id")).toEqual([
      { id: 1, username: "fine", profile_picture: null },
      { id: 2, username: "md5user", profile_picture: null },
      { id: 5, username: "picture_ok", profile_picture: "profile_pics/holiday.png" },
    ]);
    // The table is still there (the SQL in the file's names was never run).
    expect(await engine.rows("SELECT count(*) AS n FROM users")).toEqual([{ n: 3 }]);
  });

  it("says so when the database's unique index folds a username the importer's check did not (İstanbul, istanbul)", async () => {
    const SQL = await initSqlJs();
    const db = new SQL.Database();
    db.run(`create table accounts_customuser (id integer primary key, password text, username text, email text, is_staff bool, is_active bool, date_joined text)`);
    db.run(`create table accounts_customuser_followers (id integer primary key, from_customuser_id integer, to_customuser_id integer)`);
    db.run(`insert into accounts_customuser values (10, ?, 'istanbul', 'ist@example.com', 0, 1, '2024-01-01 00:00:00'), (11, ?, '\u0130stanbul', 'cap@example.com', 0, 1, '2024-01-01 00:00:00')`, [PBKDF2, PBKDF2]);
    db.run(`insert into accounts_customuser_followers (from_customuser_id, to_customuser_id) values (10, 11)`);
    const path = join(mkdtempSync(join(tmpdir(), "fold-")), "db.sqlite3");
    writeFileSync(path, db.export());
    db.close();
    const run = await engine.run("import-django", [path]);
    rmSync(dirname(path), { recursive: true, force: true });
    expect(run.status, run.stderr).toBe(0);
    const rows = () => engine.rows("SELECT id, username FROM users WHERE id >= 10 ORDER BY id");
    if (name === "D1") {
      // SQLite's lower() folds ASCII letters only: two users, as in Django.
      expect(run.stdout).toContain("Imported 2 users: istanbul, \u0130stanbul.");
      expect(await rows()).toEqual([{ id: 10, username: "istanbul" }, { id: 11, username: "\u0130stanbul" }]);
    } else {
      // PostgreSQL's lower() makes "\u0130" an "i": the second is refused by the index, reported, and its follow with it.
      expect(run.stdout).toContain("Imported 1 users: istanbul.");
      expect(run.stdout).toContain(`Skipped user "\u0130stanbul" (id 11): username or email taken here as PostgreSQL's lower() folds letter case`);
      expect(run.stdout).toContain("Imported 0 follows (0 were already there)");
      expect(run.stdout).toContain("Skipped follow 11 -> 10: one of the two users was not imported.");
      expect(await rows()).toEqual([{ id: 10, username: "istanbul" }]);
    }
  });
});
