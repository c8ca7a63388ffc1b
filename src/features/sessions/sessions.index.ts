import { createRouter } from "../../lib/router";
import { sessionEndHandler, sessionsListHandler } from "./sessions.handlers";
import { sessionEndRoute, sessionsListRoute } from "./sessions.routes";

export const sessionsRouter = createRouter().openapi(sessionsListRoute, sessionsListHandler).openapi(sessionEndRoute, sessionEndHandler);
