import type { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../../env";
import { createRouter } from "../../lib/router";
import { docsPageHandler, schemaHandler } from "./docs.handlers";
import { docsPageRoute, schemaRoute } from "./docs.routes";

/** `/schema` describes `app()`, the whole API (resolved at request time, once every route is mounted). */
export function createDocsRouter(app: () => OpenAPIHono<AppEnv>) {
  return createRouter().openapi(schemaRoute, schemaHandler(app)).openapi(docsPageRoute, docsPageHandler);
}
