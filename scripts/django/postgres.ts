/**
 * import-django's PostgreSQL side: one transaction that inserts the users (parameterised, ids
 * kept), withdraws any the unique indexes refused (with their follows and social rows), inserts
 * the follows, posts, comments, likes and notifications, recounts, fans the imported posts out to
 * their authors' followers' feeds, and moves the identity sequences past the imported ids so the
 * next registration, post or comment does not collide.
 */
import type pg from "pg";
import { inTransaction } from "../postgres/client";
import { columnsOf, insertRows } from "../postgres/rows";
import { moveSequencesOn } from "../postgres/sequences";
import type { IdRanges, ImportEngine } from "./engine";
import { RECOUNT_FOLLOWS, withdrawUsers } from "./plan";
import { COUNTS, type Counts, RECOUNT_POSTS, fanOut } from "./social-sql";

const SOCIAL_TABLES = ["posts", "comments", "likes", "notifications"] as const;

/** The rows with ids in `range` (none without one), by a bound range. */
async function inRange<R extends pg.QueryResultRow>(client: pg.Client, query: string, range: [number, number] | undefined): Promise<R[]> {
  if (!range) return [];
  return (await client.query<R>(query, range)).rows;
}

export function postgresEngine(client: pg.Client, where: string): ImportEngine {
  const counts = async () => (await client.query<Counts>(COUNTS)).rows[0]!;
  return {
    where,
    async existing(ranges: IdRanges) {
      const users = await client.query<{ id: number; username: string; email: string }>("SELECT id, username, email FROM users ORDER BY id");
      const posts = await inRange<{ id: number; author_id: number }>(client, "SELECT id, author_id FROM posts WHERE id BETWEEN $1 AND $2", ranges.posts);
      const comments = await inRange<{ id: number; post_id: number; author_id: number }>(client, "SELECT id, post_id, author_id FROM comments WHERE id BETWEEN $1 AND $2", ranges.comments);
      return {
        users: users.rows,
        counts: await counts(),
        social: {
          posts: new Map(posts.map((row) => [row.id, row.author_id])),
          comments: new Map(comments.map((row) => [row.id, { postId: row.post_id, authorId: row.author_id }])),
        },
      };
    },
    async write(plan) {
      const planned = SOCIAL_TABLES.some((table) => plan.social.rows[table].length > 0);
      if (plan.userRows.length === 0 && plan.followRows.length === 0 && !planned) return;
      await inTransaction(client, async () => {
        if (plan.userRows.length > 0) {
          const inserted = await insertRows<{ id: number }>(client, "users", await columnsOf(client, "users"), plan.userRows, "ON CONFLICT DO NOTHING RETURNING id");
          const ids = new Set(inserted.map((row) => row.id));
          // Refused by a unique index whose lower() folds a letter the plan's toLowerCase() did not, or taken since we looked.
          const refused = new Set(plan.userRows.map((row) => row.id as number).filter((id) => !ids.has(id)));
          withdrawUsers(plan, refused, "username or email taken here as PostgreSQL's lower() folds letter case (it folds letters the check above does not), or the id taken meanwhile");
        }
        await insertRows(client, "follows", await columnsOf(client, "follows"), plan.followRows, "ON CONFLICT DO NOTHING");
        // Parents first: posts, then their comments and likes, then the notifications pointing at them.
        for (const table of SOCIAL_TABLES) await insertRows(client, table, await columnsOf(client, table), plan.social.rows[table], "ON CONFLICT DO NOTHING");
        await client.query(RECOUNT_FOLLOWS);
        if (plan.hasSocial) {
          await client.query(RECOUNT_POSTS);
          await client.query(fanOut("p.id = any($1::bigint[])"), [plan.social.rows.posts.map((row) => row.id as number)]);
        }
        await moveSequencesOn(client, ["users", "follows", ...SOCIAL_TABLES]);
      });
    },
    counts,
  };
}
