/** The feed on D1: the caller's pages (./feed-page.ts) and the queue consumer's work (./feed-work.ts). */
import type { CallerFeedStore } from "../social";
import type { CallerScope } from "./caller-scope";
import type { Database } from "./client";
import { feedPageStatement, feedPostRow } from "./feed-page";

export { d1FeedWorkStore } from "./feed-work";

export function d1CallerFeedStore(db: Database, scope: CallerScope): CallerFeedStore {
  return {
    /** One batch: the guard and the page's one statement. */
    async page(cursor, limit) {
      const { caller, results: [rows] } = await scope.batch([feedPageStatement(db, scope.id, cursor, limit)]);
      return { caller, entries: rows.map((row) => ({ position: row.id, row: feedPostRow(row) })) };
    },
  };
}
