/**
 * The caller's notifications on D1, as statements for the caller's batch. A page reads at most two
 * ranges of notifications_inbox (recipient_id, read, id), each through a bounded window, leaving
 * out the rows of actors the caller mutes or shares a block with (src/store/inbox.ts).
 */
import { type SQL, and, asc, count, desc, eq, gt, lt, max, min, not, sql } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import { type InboxRange, inboxWindow } from "../inbox";
import type { Database } from "./client";
import { isFollowedBy } from "./follows";
import { hiddenFrom } from "./relations-sql";
import { users } from "./schema";
import { notifications } from "./social-schema";

/** A notification as the list shows it: its columns, the actor's row, and whether the caller follows the actor. */
export function shown(db: Database, callerId: number, row: { id: SQLiteColumn | SQL.Aliased<number>; kind: SQLiteColumn; postId: SQLiteColumn; read: SQLiteColumn; createdAt: SQLiteColumn }) {
  return {
    // Aliased: drizzle maps D1 batch rows by column name, and users.id is also "id".
    notificationId: sql<number>`${row.id}`.as("notification_id"),
    kind: row.kind as typeof notifications.kind,
    postId: row.postId as typeof notifications.postId,
    read: row.read as typeof notifications.read,
    createdAt: row.createdAt as typeof notifications.createdAt,
    actor: users,
    actorFollowed: isFollowedBy(db, callerId, users.id),
  };
}

/**
 * The two statements of one range of a page: its visible rows (at most `limit + 1`, in the
 * range's order) among the first `inboxWindow(limit)` of the range, and how many rows that window
 * read and the id it reached.
 */
export function inboxRangeStatements(db: Database, callerId: number, range: InboxRange, limit: number) {
  const after = range.after && (range.after.op === "<" ? lt(notifications.id, range.after.id) : gt(notifications.id, range.after.id));
  const window = db
    .select({
      windowId: sql<number>`${notifications.id}`.as("window_id"),
      actorId: notifications.actorId,
      kind: notifications.kind,
      postId: notifications.postId,
      read: notifications.read,
      createdAt: notifications.createdAt,
    })
    .from(notifications)
    .where(and(eq(notifications.recipientId, callerId), eq(notifications.read, range.read), after))
    .orderBy(range.descending ? desc(notifications.id) : asc(notifications.id))
    .limit(inboxWindow(limit))
    .as("inbox_window");
  const order = range.descending ? desc(window.windowId) : asc(window.windowId);
  return [
    db
      .select(shown(db, callerId, { id: window.windowId, kind: window.kind, postId: window.postId, read: window.read, createdAt: window.createdAt }))
      .from(window)
      .innerJoin(users, eq(users.id, window.actorId))
      .where(not(hiddenFrom(db, callerId, window.actorId)))
      .orderBy(order)
      .limit(limit + 1),
    // (min/max of a non-column would map to text: read as a number.)
    db.select({ scanned: count(), reached: (range.descending ? min(window.windowId) : max(window.windowId)).mapWith(Number) }).from(window),
  ] as const;
}

/** One of the caller's notifications as the list shows it (none when it is another's or unknown). */
export function notificationOf(db: Database, callerId: number, id: number) {
  return db
    .select(shown(db, callerId, notifications))
    .from(notifications)
    .innerJoin(users, eq(users.id, notifications.actorId))
    .where(and(eq(notifications.id, id), eq(notifications.recipientId, callerId)));
}

export const markRead = (db: Database, callerId: number, id: number) =>
  db.update(notifications).set({ read: true }).where(and(eq(notifications.id, id), eq(notifications.recipientId, callerId)));

/** Every unread notification of the caller, hidden ones too (they would come back unread when the mute ends). */
export const markAllRead = (db: Database, callerId: number) =>
  db.update(notifications).set({ read: true }).where(and(eq(notifications.recipientId, callerId), eq(notifications.read, false)));

/** The caller's unread notifications the list shows (a range of notifications_inbox, with the hidden actors' lookups). */
export const unreadCount = (db: Database, callerId: number) =>
  db
    .select({ count: count() })
    .from(notifications)
    .where(and(eq(notifications.recipientId, callerId), eq(notifications.read, false), not(hiddenFrom(db, callerId, notifications.actorId))));
