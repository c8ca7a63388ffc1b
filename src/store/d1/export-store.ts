/**
 * The export's reads on D1 (`CallerExportStore`): the caller's comments, likes and notifications,
 * whole, each page one batch behind the caller's guard (./caller-scope.ts) and a keyset range of
 * an index: comments_author_newest, likes_pair, and at most two ranges of notifications_inbox.
 */
import { and, desc, eq, lt } from "drizzle-orm";
import { type InboxRange, inboxPosition, inboxRanges } from "../inbox";
import type { CallerExportStore, NotificationRow } from "../social";
import type { CallerScope } from "./caller-scope";
import type { Database } from "./client";
import { commentsWithAuthors } from "./content-sql";
import { shown } from "./notifications";
import { type ShownRow, notificationRow } from "./relation-store";
import { users } from "./schema";
import { comments, likes, notifications } from "./social-schema";

/** The caller's comments after `after`, newest first. */
const commentsPage = (db: Database, me: number, after: number | undefined, limit: number) =>
  commentsWithAuthors(db)
    .where(and(eq(comments.authorId, me), after === undefined ? undefined : lt(comments.id, after)))
    .orderBy(desc(comments.id))
    .limit(limit + 1);

/** The caller's likes after post `after`, newest post first. */
const likesPage = (db: Database, me: number, after: number | undefined, limit: number) =>
  db
    .select({ postId: likes.postId, createdAt: likes.createdAt })
    .from(likes)
    .where(and(eq(likes.userId, me), after === undefined ? undefined : lt(likes.postId, after)))
    .orderBy(desc(likes.postId))
    .limit(limit + 1);

/** One range of the caller's notifications (forward: newest first), every actor's. */
const inboxRange = (db: Database, me: number, range: InboxRange, limit: number) =>
  db
    .select(shown(db, me, notifications))
    .from(notifications)
    .innerJoin(users, eq(users.id, notifications.actorId))
    .where(and(eq(notifications.recipientId, me), eq(notifications.read, range.read), range.after && lt(notifications.id, range.after.id)))
    .orderBy(desc(notifications.id))
    .limit(limit + 1);

export function d1CallerExportStore(db: Database, scope: CallerScope): CallerExportStore {
  const me = scope.id;
  return {
    async comments(after, limit) {
      const { caller, results: [rows] } = await scope.batch([commentsPage(db, me, after, limit)]);
      return { caller, entries: rows.map((row) => ({ position: row.id, row })) };
    },
    async likes(after, limit) {
      const { caller, results: [rows] } = await scope.batch([likesPage(db, me, after, limit)]);
      return { caller, entries: rows.map((row) => ({ position: row.postId, row })) };
    },
    async notifications(after, limit) {
      // Forward from `after`: the older unread ones then every read one, or the older read ones.
      const ranges = inboxRanges(after === undefined ? undefined : { id: after, forward: true });
      const { caller, results } = await scope.batch(ranges.map((range) => inboxRange(db, me, range, limit)) as unknown as [ReturnType<typeof inboxRange>]);
      const rows = (results as unknown as ShownRow[][]).flat().slice(0, limit + 1);
      const entries = rows.map((row) => ({ position: inboxPosition(row.read, row.notificationId), row: notificationRow(row) as NotificationRow }));
      return { caller, entries };
    },
  };
}
