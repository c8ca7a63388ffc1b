import { createRouter } from "../../lib/router";
import { healthHandler } from "./health.handlers";
import { healthRoute } from "./health.routes";

export const healthRouter = createRouter().openapi(healthRoute, healthHandler);
