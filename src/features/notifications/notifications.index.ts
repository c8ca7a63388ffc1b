import { createRouter } from "../../lib/router";
import { notificationListHandler, notificationReadAllHandler, notificationReadHandler, unreadCountHandler } from "./notifications.handlers";
import { notificationListRoute, notificationReadAllRoute, notificationReadRoute, unreadCountRoute } from "./notifications.routes";

export const notificationsRouter = createRouter()
  .openapi(notificationListRoute, notificationListHandler)
  .openapi(notificationReadAllRoute, notificationReadAllHandler)
  .openapi(notificationReadRoute, notificationReadHandler)
  .openapi(unreadCountRoute, unreadCountHandler);
