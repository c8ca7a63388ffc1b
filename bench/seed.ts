/**
 * The benchmark's data: a star with 100,000 followers, a user with 100, the caller, an admin, a
 * user who only logs in (so the caller's session list stays short) and one the admin updates,
 * written straight into a fresh local D1 database with recursive CTEs (seconds, not minutes).
 */
import "../scripts/argon2-node";
import { hashPassword } from "../src/auth/passwords/hashers";
import { executeSql, literal } from "../scripts/d1";

export const BENCH_PASSWORD = "benchmark-passphrase-2026";
export const FANS = 100_000;
export const IDS = { star: 1, small: 2, caller: 3, admin: 4, login: 5, target: 6 } as const;
const LAST_NAMED = Math.max(...Object.values(IDS));

export function seed(persistTo: string): void {
  const hash = literal(hashPassword(BENCH_PASSWORD));
  const now = Date.now();
  const named = Object.entries(IDS).map(
    ([name, id]) => `(${id}, 'bench_${name}', 'bench_${name}@example.com', ${hash}, ${now}, ${name === "admin" ? 1 : 0})`,
  );
  const sql = [
    `INSERT INTO users (id, username, email, password, date_joined, is_staff) VALUES ${named.join(", ")};`,
    `INSERT INTO users (username, email, password, date_joined)
       WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${FANS})
       SELECT 'fan' || i, 'fan' || i || '@example.com', ${hash}, ${now} FROM n;`,
    `INSERT INTO follows (follower_id, followee_id, created_at) SELECT id, ${IDS.star}, ${now} FROM users WHERE id > ${LAST_NAMED} ORDER BY id;`,
    `INSERT INTO follows (follower_id, followee_id, created_at) SELECT id, ${IDS.small}, ${now} FROM users WHERE id > ${LAST_NAMED} ORDER BY id LIMIT 100;`,
    `UPDATE users SET followers_count = (SELECT count(*) FROM follows WHERE followee_id = users.id), following_count = (SELECT count(*) FROM follows WHERE follower_id = users.id);`,
  ].join("\n");
  const result = executeSql(sql, { remote: false, persistTo });
  if (!result.ok) throw new Error(`seeding failed:\n${result.output}`);
}
