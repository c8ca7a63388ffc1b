/**
 * The capacity study's fill on local D1: users and follows written by recursive CTEs through
 * wrangler, the sizes as D1 reports them (`meta.size_after`: what its 10 GB limit counts).
 */
import { rmSync } from "node:fs";
import { join } from "node:path";
import { executeSql, literal, prepareTarget } from "../scripts/d1";
import { startLocalWorker } from "../scripts/local-worker.mjs";
import { SPREAD, STARS, type Size } from "./capacity-shape";

/** The database's size as D1 reports it, and its follows. */
async function databaseFacts(state: string): Promise<{ bytes: number; follows: number }> {
  const worker = await startLocalWorker({ port: 0, persistRoot: join(state, "v3"), quiet: true, shape: "minimal", vars: { JWT_SECRET: "capacity-signing-secret-0123456789abcdef0" } });
  try {
    const d1 = await worker.miniflare.getD1Database("DB");
    const result = await d1.prepare("SELECT count(*) AS n FROM follows").all<{ n: number }>();
    return { bytes: Number(result.meta.size_after), follows: result.results[0]!.n };
  } finally {
    await worker.stop();
  }
}

function run(sql: string, state: string, what: string) {
  const result = executeSql(sql, { remote: false, persistTo: state });
  if (!result.ok) throw new Error(`${what} failed:\n${result.output}`);
}

/** Fills `state` with `users` users and their follows; returns the sizes measured on the way. */
export async function fillD1(state: string, users: number, passwordHash: string): Promise<Size> {
  rmSync(state, { recursive: true, force: true });
  prepareTarget({ remote: false, persistTo: state });
  const empty = (await databaseFacts(state)).bytes;
  const hash = literal(passwordHash);
  const now = Date.now();
  let started = performance.now();
  console.log(`  ${users.toLocaleString("en")} users...`);
  run(
    `INSERT INTO users (id, username, email, password, first_name, last_name, bio, date_joined, email_verified, is_staff, is_superuser)
       WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${users})
       SELECT i, 'user' || i, 'user' || i || '@example.com', ${hash}, 'First' || (i % 1000), 'Last' || (i % 777),
              CASE WHEN i % 3 = 0 THEN 'A short bio, about as long as most people write one.' END,
              ${now} - i * 1000, 1, i = ${users}, i = ${users} FROM n;`,
    state,
    "users",
  );
  const usersSeconds = (performance.now() - started) / 1000;
  const withUsers = (await databaseFacts(state)).bytes;
  started = performance.now();
  // The stars: user k is followed by a contiguous block of users (a share of everyone).
  STARS.forEach((share, k) => {
    console.log(`  followers of star ${k + 1}...`);
    run(
      `INSERT INTO follows (follower_id, followee_id, created_at)
         WITH RECURSIVE n(i) AS (SELECT 10 UNION ALL SELECT i + 1 FROM n WHERE i < ${Math.floor(users * share) + 9})
         SELECT i, ${k + 1}, ${now} FROM n WHERE i <= ${users} ORDER BY i;`,
      state,
      `star ${k + 1}`,
    );
  });
  // Everyone else: SPREAD follows each, 3 to a power-law pick (r^3 favours low ids: a long tail of
  // popular users), 6 uniform; duplicates and self-follows skipped. In chunks, for progress.
  const chunk = Math.max(1, Math.ceil(users / 10));
  for (let from = 1; from <= users; from += chunk) {
    const to = Math.min(users, from + chunk - 1);
    console.log(`  follows of users ${from.toLocaleString("en")}-${to.toLocaleString("en")}...`);
    run(
      `INSERT OR IGNORE INTO follows (follower_id, followee_id, created_at)
         SELECT follower, followee, ${now} FROM (
           WITH RECURSIVE n(i) AS (SELECT ${from} UNION ALL SELECT i + 1 FROM n WHERE i < ${to}),
                j(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM j WHERE k < ${SPREAD - 1})
           SELECT i AS follower,
                  CASE WHEN k < 3
                    THEN 1 + CAST(${users} * ((((i * 7919 + k * 104729) % 1000003) / 1000003.0) * (((i * 7919 + k * 104729) % 1000003) / 1000003.0) * (((i * 7919 + k * 104729) % 1000003) / 1000003.0)) AS INTEGER)
                    ELSE 1 + ((i * 2654435761 + k * 40503) % ${users})
                  END AS followee
           FROM n CROSS JOIN j ORDER BY i, k
         ) WHERE follower <> followee AND followee <= ${users};`,
      state,
      `follows ${from}-${to}`,
    );
  }
  console.log("  counters...");
  run(
    `UPDATE users SET followers_count = (SELECT count(*) FROM follows WHERE followee_id = users.id),
                      following_count = (SELECT count(*) FROM follows WHERE follower_id = users.id);`,
    state,
    "counters",
  );
  const followsSeconds = (performance.now() - started) / 1000;
  const { bytes: withFollows, follows } = await databaseFacts(state);
  return {
    users,
    follows,
    bytes: { users: withUsers - empty, follows: withFollows - withUsers, total: withFollows },
    seconds: { users: usersSeconds, follows: followsSeconds },
  };
}
