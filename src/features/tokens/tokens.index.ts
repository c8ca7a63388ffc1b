import { createRouter } from "../../lib/router";
import * as handlers from "./tokens.handlers";
import * as routes from "./tokens.routes";

export const tokensRouter = createRouter()
  .openapi(routes.loginRoute, handlers.loginHandler)
  .openapi(routes.refreshRoute, handlers.refreshHandler)
  .openapi(routes.verifyRoute, handlers.verifyHandler)
  .openapi(routes.logoutRoute, handlers.logoutHandler)
  .openapi(routes.logoutAllRoute, handlers.logoutAllHandler);
