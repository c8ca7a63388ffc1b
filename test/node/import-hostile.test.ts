/** `import-django` on a hostile database file: names, hashes and texts chosen by an attacker. */
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import initSqlJs from "sql.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryResults } from "../../scripts/d1";
import { type TestWorker, startTestWorker } from "./local-worker";

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

let worker: TestWorker;
beforeAll(async () => {
  worker = await startTestWorker();
});
afterAll(() => worker?.stop());

describe("npm run import-django on a hostile file", () => {
  it("quotes identifiers, validates and normalises usernames, never prints a hash, shell-quotes commands and escapes text", async () => {
    const path = await hostileDatabase();
    const run = await worker.pausedFor(() =>
      spawnSync("npm", ["run", "--silent", "import-django", "--", path, "--persist-to", worker.stateDir], { encoding: "utf8" }),
    );
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

    const [rows] = queryResults("SELECT id, username, profile_picture FROM users ORDER BY id", { remote: false, persistTo: worker.stateDir });
    expect(rows).toEqual([
      { id: 1, username: "fine", profile_picture: null },
      { id: 2, username: "md5user", profile_picture: null },
      { id: 5, username: "picture_ok", profile_picture: "profile_pics/holiday.png" },
    ]);
    const [tables] = queryResults("SELECT count(*) AS n FROM sqlite_master WHERE name = 'users'", { remote: false, persistTo: worker.stateDir });
    expect(tables).toEqual([{ n: 1 }]);
  });
});
