import { createRouter } from "../../lib/router";
import * as handlers from "./mfa.handlers";
import * as routes from "./mfa.routes";

export const mfaRouter = createRouter()
  .openapi(routes.totpSetupRoute, handlers.totpSetupHandler)
  .openapi(routes.totpConfirmRoute, handlers.totpConfirmHandler)
  .openapi(routes.totpDisableRoute, handlers.totpDisableHandler)
  .openapi(routes.recoveryCodesRoute, handlers.recoveryCodesHandler)
  .openapi(routes.mfaVerifyRoute, handlers.mfaVerifyHandler);
