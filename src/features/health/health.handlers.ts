import type { RouteHandler } from "@hono/zod-openapi";
import type { AppEnv } from "../../env";
import type { healthRoute } from "./health.routes";

export const healthHandler: RouteHandler<typeof healthRoute, AppEnv> = async (c) => {
  await c.get("store").ping();
  return c.json({ status: "ok" as const }, 200);
};
