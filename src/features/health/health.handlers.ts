import type { RouteHandler } from "@hono/zod-openapi";
import { sql } from "drizzle-orm";
import type { AppEnv } from "../../env";
import type { healthRoute } from "./health.routes";

export const healthHandler: RouteHandler<typeof healthRoute, AppEnv> = async (c) => {
  await c.get("db").run(sql`select 1`);
  return c.json({ status: "ok" as const }, 200);
};
