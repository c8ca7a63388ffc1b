/**
 * import-django's PostgreSQL side: one transaction that inserts the users (parameterised, ids
 * kept), withdraws any the unique indexes refused, inserts the follows, recounts, and moves the
 * identity sequences past the imported ids so the next registration does not collide.
 */
import type pg from "pg";
import { inTransaction } from "../postgres/client";
import { columnsOf, insertRows } from "../postgres/rows";
import { moveSequencesOn } from "../postgres/sequences";
import type { ImportEngine } from "./engine";
import { RECOUNT_FOLLOWS, withdrawUsers } from "./plan";

export function postgresEngine(client: pg.Client, where: string): ImportEngine {
  return {
    where,
    async existing() {
      const users = await client.query<{ id: number; username: string; email: string }>("SELECT id, username, email FROM users ORDER BY id");
      const count = await client.query<{ n: number }>("SELECT count(*)::int AS n FROM follows");
      return { users: users.rows, follows: count.rows[0]!.n };
    },
    async write(plan) {
      if (plan.userRows.length === 0 && plan.followRows.length === 0) return;
      await inTransaction(client, async () => {
        if (plan.userRows.length > 0) {
          const inserted = await insertRows<{ id: number }>(client, "users", await columnsOf(client, "users"), plan.userRows, "ON CONFLICT DO NOTHING RETURNING id");
          const ids = new Set(inserted.map((row) => row.id));
          // Refused by a unique index whose lower() folds a letter the plan's toLowerCase() did not, or taken since we looked.
          const refused = new Set(plan.userRows.map((row) => row.id as number).filter((id) => !ids.has(id)));
          withdrawUsers(plan, refused, "username or email taken here as PostgreSQL's lower() folds letter case (it folds letters the check above does not), or the id taken meanwhile");
        }
        await insertRows(client, "follows", await columnsOf(client, "follows"), plan.followRows, "ON CONFLICT DO NOTHING");
        await client.query(RECOUNT_FOLLOWS);
        await moveSequencesOn(client, ["users", "follows"]);
      });
    },
    async follows() {
      const { rows } = await client.query<{ n: number }>("SELECT count(*)::int AS n FROM follows");
      return rows[0]!.n;
    },
  };
}
