import { createRouter } from "../../lib/router";
import { registerHandler } from "./registration.handlers";
import { registerRoute } from "./registration.routes";

export const registrationRouter = createRouter().openapi(registerRoute, registerHandler);
