/** Notifications, blocks, mutes and relationships (placeholder: built by the relations work of issue 24). */
import type { CallerNotificationStore, CallerRelationStore } from "../social";

const notBuilt = (): never => {
  throw new Error("Notifications and relations are not built yet.");
};

export function d1CallerNotificationStore(..._args: unknown[]): CallerNotificationStore {
  return { page: notBuilt, markRead: notBuilt, markAllRead: notBuilt, unreadCount: notBuilt };
}

export function d1CallerRelationStore(..._args: unknown[]): CallerRelationStore {
  return { change: notBuilt, page: notBuilt, relationships: notBuilt };
}
