import { createRoute } from "@hono/zod-openapi";
import { z } from "zod";
import { everyRoute, jsonResponse } from "../../http/openapi";

export const healthSchema = z.object({ status: z.literal("ok") }).meta({ id: "Health" });

export const healthRoute = createRoute({
  method: "get", path: "/healthz", tags: ["docs"], summary: "Health check (runs a trivial D1 query)",
  responses: { 200: jsonResponse(healthSchema, "Healthy."), ...everyRoute },
});
