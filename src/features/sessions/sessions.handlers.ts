import type { RouteHandler } from "@hono/zod-openapi";
import type { AppEnv } from "../../env";
import { callerDepsOf } from "../../lib/deps";
import type { sessionEndRoute, sessionsListRoute } from "./sessions.routes";
import { endOwnSession, listSessions } from "./sessions.service";

export const sessionsListHandler: RouteHandler<typeof sessionsListRoute, AppEnv> = async (c) =>
  c.json({ results: await listSessions(callerDepsOf(c)) }, 200);

export const sessionEndHandler: RouteHandler<typeof sessionEndRoute, AppEnv> = async (c) => {
  await endOwnSession(callerDepsOf(c), { id: c.req.valid("param").id });
  return c.body(null, 204);
};
