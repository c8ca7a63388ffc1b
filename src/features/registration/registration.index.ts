import { createRouter } from "../../lib/router";
import { registerHandler, resendEmailHandler, verifyEmailHandler } from "./registration.handlers";
import { registerRoute, resendEmailRoute, verifyEmailRoute } from "./registration.routes";

export const registrationRouter = createRouter()
  .openapi(registerRoute, registerHandler)
  .openapi(verifyEmailRoute, verifyEmailHandler)
  .openapi(resendEmailRoute, resendEmailHandler);
