import { createRoute } from "@hono/zod-openapi";
import { bearerSecurity, detailSchema, errorResponses, everyRoute, jsonResponse, withBearer } from "../../http/openapi";
import { notificationPageSchema, notificationSchema } from "../../http/representations/social";
import { notificationIdParams, notificationListQuery, unreadCountSchema } from "./notifications.schemas";

export const notificationListRoute = createRoute({
  method: "get", path: "/", tags: ["notifications"],
  summary: "The caller's notifications, unread first then newest (actors the caller mutes or shares a block with left out)",
  description:
    "Cursor-paginated. A page reads a bounded number of the caller's notifications: where hidden ones (of muted or blocked actors) fill that many, the page is shorter, possibly empty, and its `next` link goes on past them.",
  security: bearerSecurity,
  request: { query: notificationListQuery },
  responses: { 200: jsonResponse(notificationPageSchema, "A page of notifications."), 404: errorResponses.notFound, ...withBearer, ...everyRoute },
});

export const notificationReadRoute = createRoute({
  method: "post", path: "/{id}/read", tags: ["notifications"], summary: "Mark one of the caller's notifications read (idempotent)",
  security: bearerSecurity,
  request: { params: notificationIdParams },
  responses: { 200: jsonResponse(notificationSchema, "The notification, read."), 404: errorResponses.notFound, ...withBearer, ...everyRoute },
});

export const notificationReadAllRoute = createRoute({
  method: "post", path: "/read-all", tags: ["notifications"], summary: "Mark every notification of the caller read",
  security: bearerSecurity,
  responses: { 200: jsonResponse(detailSchema, "Done."), ...withBearer, ...everyRoute },
});

export const unreadCountRoute = createRoute({
  method: "get", path: "/unread-count", tags: ["notifications"], summary: "How many unread notifications the list shows (an app's badge)",
  security: bearerSecurity,
  responses: { 200: jsonResponse(unreadCountSchema, "The count."), ...withBearer, ...everyRoute },
});
