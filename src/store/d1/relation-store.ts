/** D1's notification and relation stores: each method one batch behind the caller's guard (./caller-scope.ts). */
import type { BatchItem } from "drizzle-orm/batch";
import { inboxPage, inboxPosition, inboxRanges } from "../inbox";
import type { UserRow } from "../rows";
import type { CallerNotificationStore, CallerRelationStore, NotificationKind, NotificationRow, RelationshipRow } from "../social";
import type { CallerScope } from "./caller-scope";
import type { Database } from "./client";
import { inboxRangeStatements, markAllRead, markRead, notificationOf, unreadCount } from "./notifications";
import { relatedPage, relationWrites, relationshipsOf } from "./relations";

export interface ShownRow {
  notificationId: number;
  kind: NotificationKind;
  postId: number | null;
  read: boolean;
  createdAt: Date;
  actor: UserRow;
  actorFollowed: unknown;
}

export const notificationRow = (row: ShownRow): NotificationRow => ({
  id: row.notificationId,
  actor: row.actor,
  actorFollowed: Boolean(row.actorFollowed),
  kind: row.kind,
  postId: row.postId,
  read: row.read,
  createdAt: row.createdAt,
});

export function d1CallerNotificationStore(db: Database, scope: CallerScope): CallerNotificationStore {
  const id = scope.id;
  return {
    async page(cursor, limit) {
      const ranges = inboxRanges(cursor);
      const statements = ranges.flatMap((range) => inboxRangeStatements(db, id, range, limit));
      const { caller, results } = await scope.batch(statements as unknown as [BatchItem<"sqlite">]);
      const parts = results as unknown as (ShownRow[] | { scanned: number; reached: number | null }[])[];
      const { entries, frontier } = inboxPage(
        ranges.map((range, i) => {
          const [reach] = parts[2 * i + 1] as { scanned: number; reached: number | null }[];
          return {
            entries: (parts[2 * i] as ShownRow[]).map((row) => ({ position: inboxPosition(row.read, row.notificationId), row: notificationRow(row) })),
            scanned: reach!.scanned,
            reached: reach!.reached === null ? null : inboxPosition(range.read, reach!.reached),
          };
        }),
        limit,
      );
      return { caller, entries, ...(frontier === undefined ? {} : { frontier }) };
    },
    async markRead(notificationId) {
      const { caller, results: [, [row]] } = await scope.batch([markRead(db, id, notificationId), notificationOf(db, id, notificationId)]);
      return { caller, ...(row ? { notification: notificationRow(row) } : {}) };
    },
    async markAllRead() {
      const { caller } = await scope.batch([markAllRead(db, id)]);
      return { caller };
    },
    async unreadCount() {
      const { caller, results: [[row]] } = await scope.batch([unreadCount(db, id)]);
      return { caller, count: row?.count ?? 0 };
    },
  };
}

interface RelationshipResult {
  id: number;
  following: unknown;
  followedBy: unknown;
  blocking: unknown;
  blockedBy: unknown;
  muting: unknown;
}

const relationshipRow = (row: RelationshipResult): RelationshipRow => ({
  id: row.id,
  following: Boolean(row.following),
  followedBy: Boolean(row.followedBy),
  blocking: Boolean(row.blocking),
  blockedBy: Boolean(row.blockedBy),
  muting: Boolean(row.muting),
});

export function d1CallerRelationStore(db: Database, scope: CallerScope): CallerRelationStore {
  const id = scope.id;
  return {
    async change(action, targetId, now) {
      // The writes, then the relationship as they left it (a batch runs in order).
      const statements = [...relationWrites(db, action, id, targetId, now), relationshipsOf(db, id, [targetId])];
      const { caller, results } = await scope.batch(statements as unknown as [BatchItem<"sqlite">]);
      const [row] = results.at(-1) as (RelationshipResult & { feedPull: boolean })[];
      return { caller, ...(row ? { relationship: relationshipRow(row), feedPull: row.feedPull } : {}) };
    },
    async page(kind, cursor, limit) {
      const { caller, results: [rows] } = await scope.batch([relatedPage(db, id, kind, cursor, limit)]);
      return { caller, entries: rows.map((row) => ({ position: row.position, row: { user: row.user, isFollowing: Boolean(row.isFollowing) } })) };
    },
    async relationships(ids) {
      const { caller, results: [rows] } = await scope.batch([relationshipsOf(db, id, ids)]);
      const known = new Map(rows.map((row) => [row.id, relationshipRow(row)]));
      return { caller, relationships: [...new Set(ids)].flatMap((asked) => known.get(asked) ?? []) };
    },
  };
}
