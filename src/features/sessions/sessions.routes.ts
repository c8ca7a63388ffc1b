import { createRoute } from "@hono/zod-openapi";
import { bearerSecurity, errorResponses, everyRoute, jsonResponse, withBearer } from "../../http/openapi";
import { sessionIdParams, sessionListSchema } from "../../http/representations/sessions";

const tags = ["auth"];

export const sessionsListRoute = createRoute({
  method: "get", path: "/sessions", tags, summary: "The caller's live login sessions, newest first",
  security: bearerSecurity,
  responses: { 200: jsonResponse(sessionListSchema, "The sessions."), ...withBearer, ...everyRoute },
});

export const sessionEndRoute = createRoute({
  method: "delete", path: "/sessions/{id}", tags, summary: "End one of the caller's sessions (its tokens are refused at once)",
  security: bearerSecurity,
  request: { params: sessionIdParams },
  responses: { 204: { description: "Ended." }, 404: errorResponses.notFound, ...withBearer, ...everyRoute },
});
