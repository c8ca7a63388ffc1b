/** import-django's D1 side: what is there, and the plan as one SQL file run by wrangler. */
import { type D1Target, executeSql, literal, prepareTarget, queryResults } from "../d1";
import type { IdRanges, ImportEngine } from "./engine";
import { RECOUNT_FOLLOWS, type Row } from "./plan";
import { COUNTS, type Counts, RECOUNT_POSTS, fanOut } from "./social-sql";

/** Imported posts fanned out per statement (an IN list of literal ids). */
const FAN_OUT_CHUNK = 500;

// Every value is a literal(): a number as it is, text quoted with '' doubled (SQLite has no
// other escape), so nothing read from the file is ever SQL. wrangler runs the file; it takes no
// bound parameters.
const insert = (table: string, row: Row) =>
  `INSERT INTO ${table} (${Object.keys(row).join(", ")}) VALUES (${Object.values(row).map(literal).join(", ")}) ON CONFLICT DO NOTHING;`;

/** SQL: `column` in `range` (ids checked as safe integers by the plan), or nothing without one. */
const within = (column: string, range: [number, number] | undefined) => (range ? `${column} BETWEEN ${literal(range[0])} AND ${literal(range[1])}` : "0");

const chunks = <T>(items: T[], size: number) => Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));

export function d1Engine(target: D1Target): ImportEngine {
  prepareTarget(target);
  return {
    where: target.remote ? "remote database" : "local database",
    async existing(ranges: IdRanges) {
      const [users, [counts], posts, comments] = queryResults(
        `SELECT id, username, email FROM users; ${COUNTS};
         SELECT id, author_id FROM posts WHERE ${within("id", ranges.posts)};
         SELECT id, post_id, author_id FROM comments WHERE ${within("id", ranges.comments)}`,
        target,
      ) as [{ id: number; username: string; email: string }[], Counts[], { id: number; author_id: number }[], { id: number; post_id: number; author_id: number }[]];
      return {
        users,
        counts: counts!,
        social: {
          posts: new Map(posts.map((row) => [row.id, row.author_id])),
          comments: new Map(comments.map((row) => [row.id, { postId: row.post_id, authorId: row.author_id }])),
        },
      };
    },
    async write(plan) {
      const { rows } = plan.social;
      const statements = [
        ...plan.userRows.map((row) => insert("users", row)),
        ...plan.followRows.map((row) => insert("follows", row)),
        // Parents first: posts, then their comments and likes, then the notifications pointing at them.
        ...rows.posts.map((row) => insert("posts", row)),
        ...rows.comments.map((row) => insert("comments", row)),
        ...rows.likes.map((row) => insert("likes", row)),
        ...rows.notifications.map((row) => insert("notifications", row)),
      ];
      if (statements.length === 0) return;
      const social = plan.hasSocial
        ? [RECOUNT_POSTS, ...chunks(rows.posts.map((row) => literal(row.id as number)), FAN_OUT_CHUNK).map((ids) => fanOut(`p.id IN (${ids.join(", ")})`))]
        : [];
      const result = executeSql([...statements, ...[RECOUNT_FOLLOWS, ...social].map((statement) => `${statement};`)].join("\n"), target);
      if (!result.ok) throw new Error(`The import failed; nothing was committed by the failing statement:\n${result.output}`);
    },
    async counts() {
      return queryResults(COUNTS, target)[0]![0] as Counts;
    },
  };
}
