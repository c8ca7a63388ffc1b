/**
 * Usernames and emails that D1 holds as different users but PostgreSQL's unique indexes on
 * lower() would hold as one: SQLite's lower() folds ASCII letters only, PostgreSQL's folds every
 * letter its locale knows ("Ä" and "ä"). PostgreSQL itself is asked, so its locale decides.
 * The users still to copy are read from D1 in pages into a temporary table (in PostgreSQL, not
 * in memory here) and checked together with those already copied; nothing is written.
 */
import type pg from "pg";
import type { D1Target } from "../d1";
import { type D1Table, type Key, keyOf, readPage } from "./d1-source";

export interface Collision {
  field: "username" | "email";
  ids: string[];
  values: string[];
}

export async function findCollisions(client: pg.Client, users: D1Table, after: Key | null, pageSize: number, target: D1Target): Promise<Collision[]> {
  await client.query("CREATE TEMPORARY TABLE d1_users (id bigint, username text, email text)");
  try {
    for (let last = after; ; ) {
      const rows = readPage(users, ["id", "username", "email"], last, pageSize, target);
      if (rows.length > 0) {
        await client.query("INSERT INTO d1_users SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[])", [
          rows.map((row) => row.id),
          rows.map((row) => row.username),
          rows.map((row) => row.email),
        ]);
        last = keyOf(users, rows.at(-1)!);
      }
      if (rows.length < pageSize) break;
    }
    const { rows } = await client.query<Collision>(
      `WITH every_user AS (SELECT id, username, email FROM users UNION ALL SELECT id, username, email FROM d1_users)
       SELECT 'username' AS field, array_agg(id::text ORDER BY id) AS ids, array_agg(username ORDER BY id) AS values
         FROM every_user GROUP BY lower(username) HAVING count(*) > 1
       UNION ALL
       SELECT 'email', array_agg(id::text ORDER BY id), array_agg(email ORDER BY id)
         FROM every_user WHERE email <> '' GROUP BY lower(email) HAVING count(*) > 1`,
    );
    return rows;
  } finally {
    await client.query("DROP TABLE d1_users");
  }
}
