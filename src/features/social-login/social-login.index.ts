import { createRouter } from "../../lib/router";
import * as handlers from "./social-login.handlers";
import * as routes from "./social-login.routes";

// `exchange` before `{provider}`: the word is reserved (no provider may take it).
export const socialLoginRouter = createRouter()
  .openapi(routes.exchangeRoute, handlers.exchangeHandler)
  .openapi(routes.loginRoute, handlers.loginHandler)
  .openapi(routes.callbackRoute, handlers.callbackHandler)
  .openapi(routes.callbackPostRoute, handlers.callbackPostHandler)
  .openapi(routes.connectRoute, handlers.connectHandler)
  .openapi(routes.nativeLoginRoute, handlers.nativeLoginHandler)
  .openapi(routes.socialAccountsRoute, handlers.socialAccountsHandler)
  .openapi(routes.unlinkRoute, handlers.unlinkHandler);
