import { createRouter } from "../../lib/router";
import * as handlers from "./passkeys.handlers";
import * as routes from "./passkeys.routes";

export const passkeysRouter = createRouter()
  .openapi(routes.registrationOptionsRoute, handlers.registrationOptionsHandler)
  .openapi(routes.registerRoute, handlers.registerHandler)
  .openapi(routes.loginOptionsRoute, handlers.loginOptionsHandler)
  .openapi(routes.loginRoute, handlers.loginHandler)
  .openapi(routes.passkeyListRoute, handlers.passkeyListHandler)
  .openapi(routes.passkeyDeleteRoute, handlers.passkeyDeleteHandler);
