import type { RouteHandler } from "@hono/zod-openapi";
import type { AppEnv } from "../../env";
import { cursorPage } from "../../http/pagination";
import { notificationOf } from "../../http/representations/social";
import { callerDepsOf } from "../../lib/deps";
import type { notificationListRoute, notificationReadAllRoute, notificationReadRoute, unreadCountRoute } from "./notifications.routes";
import { countUnread, listNotifications, readAllNotifications, readNotification } from "./notifications.service";

export const notificationListHandler: RouteHandler<typeof notificationListRoute, AppEnv> = async (c) => {
  const { cursor, page_size: size } = c.req.valid("query");
  const url = new URL(c.req.url);
  const { entries, frontier } = await listNotifications(callerDepsOf(c), { cursor, size });
  return c.json(cursorPage(url, cursor, entries, size, (entry) => notificationOf(entry.row, url.origin), frontier), 200);
};

export const notificationReadHandler: RouteHandler<typeof notificationReadRoute, AppEnv> = async (c) => {
  const notification = await readNotification(callerDepsOf(c), { id: c.req.valid("param").id });
  return c.json(notificationOf(notification, new URL(c.req.url).origin), 200);
};

export const notificationReadAllHandler: RouteHandler<typeof notificationReadAllRoute, AppEnv> = async (c) => {
  await readAllNotifications(callerDepsOf(c));
  return c.json({ detail: "All notifications marked as read." }, 200);
};

export const unreadCountHandler: RouteHandler<typeof unreadCountRoute, AppEnv> = async (c) => {
  return c.json({ unread_count: await countUnread(callerDepsOf(c)) }, 200);
};
