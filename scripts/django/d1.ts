/** import-django's D1 side: what is there, and the plan as one SQL file run by wrangler. */
import { type D1Target, executeSql, literal, prepareTarget, queryResults } from "../d1";
import type { ImportEngine } from "./engine";
import { RECOUNT_FOLLOWS, type Row } from "./plan";

const FOLLOW_COUNT = "SELECT count(*) AS n FROM follows";

const insert = (table: string, row: Row) =>
  `INSERT INTO ${table} (${Object.keys(row).join(", ")}) VALUES (${Object.values(row).map(literal).join(", ")}) ON CONFLICT DO NOTHING;`;

export function d1Engine(target: D1Target): ImportEngine {
  prepareTarget(target);
  return {
    where: target.remote ? "remote database" : "local database",
    async existing() {
      const [users, [count]] = queryResults(`SELECT id, username, email FROM users; ${FOLLOW_COUNT}`, target);
      return { users: users as { id: number; username: string; email: string }[], follows: (count as { n: number }).n };
    },
    async write(plan) {
      const statements = [...plan.userRows.map((row) => insert("users", row)), ...plan.followRows.map((row) => insert("follows", row))];
      if (statements.length === 0) return;
      const result = executeSql([...statements, `${RECOUNT_FOLLOWS};`].join("\n"), target);
      if (!result.ok) throw new Error(`The import failed; nothing was committed by the failing statement:\n${result.output}`);
    },
    async follows() {
      return (queryResults(FOLLOW_COUNT, target)[0]![0] as { n: number }).n;
    },
  };
}
