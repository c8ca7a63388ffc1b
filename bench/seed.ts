/**
 * The benchmark's data: a star with 100,000 followers, a user with 100, the caller, an admin, a
 * user who only logs in (so the caller's session list stays short) and one the admin updates,
 * and the social data of ./seed-social.ts,
 * written straight into a fresh database: local D1 with recursive CTEs, PostgreSQL with
 * generate_series over pg (seconds, not minutes). Both get the same ids, names and follows.
 */
import pg from "pg";
import "../scripts/argon2-node";
import { hashPassword } from "../src/auth/passwords/hashers";
import { executeSql, literal } from "../scripts/d1";
import { socialCast, socialSql, seedSocialPostgres } from "./seed-social";

export const BENCH_PASSWORD = "benchmark-passphrase-2026";
export const FANS = 100_000;
export const IDS = { star: 1, small: 2, caller: 3, admin: 4, login: 5, target: 6 } as const;
const LAST_NAMED = Math.max(...Object.values(IDS));
/** The posts, comments, likes, feed and notifications (./seed-social.ts): the like row's posts are the target's. */
const SOCIAL_IDS = { caller: IDS.caller, slotAuthor: IDS.target, firstFan: LAST_NAMED + 1 };
export const SOCIAL = socialCast(SOCIAL_IDS.firstFan);

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
    socialSql(SOCIAL_IDS, now),
    `UPDATE users SET followers_count = (SELECT count(*) FROM follows WHERE followee_id = users.id), following_count = (SELECT count(*) FROM follows WHERE follower_id = users.id);`,
  ].join("\n");
  const result = executeSql(sql, { remote: false, persistTo });
  if (!result.ok) throw new Error(`seeding failed:\n${result.output}`);
}

/** The same data in the (migrated, empty) PostgreSQL database of `url`, in one transaction, then analysed. */
export async function seedPostgres(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const hash = hashPassword(BENCH_PASSWORD);
    const now = new Date();
    await client.query("begin");
    for (const [name, id] of Object.entries(IDS)) {
      await client.query("insert into users (id, username, email, password, date_joined, is_staff) values ($1, $2, $3, $4, $5, $6)", [
        id,
        `bench_${name}`,
        `bench_${name}@example.com`,
        hash,
        now,
        name === "admin",
      ]);
    }
    // The fans take the ids D1's AUTOINCREMENT gives them there (7, 8, ...), in the same order.
    await client.query(
      `insert into users (id, username, email, password, date_joined)
         select ${LAST_NAMED} + i, 'fan' || i, 'fan' || i || '@example.com', $1, $2 from generate_series(1, ${FANS}) as i`,
      [hash, now],
    );
    await client.query(`insert into follows (follower_id, followee_id, created_at) select id, ${IDS.star}, $1 from users where id > ${LAST_NAMED} order by id`, [now]);
    await client.query(`insert into follows (follower_id, followee_id, created_at) select id, ${IDS.small}, $1 from users where id > ${LAST_NAMED} order by id limit 100`, [now]);
    await seedSocialPostgres(client, SOCIAL_IDS, now.getTime());
    await client.query(
      `update users set followers_count = coalesce(f.n, 0), following_count = coalesce(g.n, 0)
         from users u
         left join (select followee_id as id, count(*) as n from follows group by followee_id) f on f.id = u.id
         left join (select follower_id as id, count(*) as n from follows group by follower_id) g on g.id = u.id
        where users.id = u.id and (f.n is not null or g.n is not null)`,
    );
    // Registrations during the run take the next ids, as on D1.
    await client.query("select setval('users_id_seq', (select max(id) from users))");
    await client.query("commit");
    await client.query("vacuum analyze");
  } finally {
    await client.end();
  }
}
