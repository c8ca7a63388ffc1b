import { createRouter } from "../../lib/router";
import { jwksHandler } from "./jwks.handlers";
import { jwksRoute } from "./jwks.routes";

export const jwksRouter = createRouter().openapi(jwksRoute, jwksHandler);
