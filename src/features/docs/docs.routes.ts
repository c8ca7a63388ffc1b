import { createRoute, z } from "@hono/zod-openapi";
import { everyRoute } from "../../http/openapi";

const tags = ["docs"];

export const schemaRoute = createRoute({
  method: "get", path: "/schema", tags, summary: "This OpenAPI 3.1 document",
  responses: {
    200: { description: "The OpenAPI 3.1 document.", content: { "application/json": { schema: z.object({}).passthrough().meta({ description: "OpenAPI 3.1" }) } } },
    ...everyRoute,
  },
});

export const docsPageRoute = createRoute({
  method: "get", path: "/docs", tags, summary: "Interactive API reference (works offline)",
  responses: { 200: { description: "An HTML page.", content: { "text/html": { schema: z.string() } } }, ...everyRoute },
});
