/** Notifications: the caller's list, marking read, the unread count; one guarded statement or batch each. */
import { NotFound } from "../../http/errors";
import type { Cursor } from "../../http/pagination";
import type { CallerDeps } from "../../lib/deps";
import type { NotificationRow } from "../../store";

/** `size + 1` entries in the cursor's direction, or fewer and where the read stopped (`frontier`: see `cursorPage`). */
export async function listNotifications({ caller }: CallerDeps, { cursor, size }: { cursor: Cursor | undefined; size: number }) {
  const { entries, frontier } = await caller.notifications.page(cursor, size);
  return { entries, frontier };
}

/** Marks one of the caller's notifications read; another's or an unknown one is 404. */
export async function readNotification({ caller }: CallerDeps, { id }: { id: number }): Promise<NotificationRow> {
  const { notification } = await caller.notifications.markRead(id);
  if (!notification) throw new NotFound();
  return notification;
}

export async function readAllNotifications({ caller }: CallerDeps): Promise<void> {
  await caller.notifications.markAllRead();
}

export async function countUnread({ caller }: CallerDeps): Promise<number> {
  const { count } = await caller.notifications.unreadCount();
  return count;
}
