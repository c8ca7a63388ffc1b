import { createRouter } from "../../lib/router";
import { accountDeleteHandler, profileGetHandler, profileUpdateHandler } from "./profile.handlers";
import { accountDeleteRoute, profileGetRoute, profilePatchRoute, profilePutRoute } from "./profile.routes";

export const profileRouter = createRouter()
  .openapi(profileGetRoute, profileGetHandler)
  .openapi(profilePutRoute, profileUpdateHandler)
  .openapi(profilePatchRoute, profileUpdateHandler)
  .openapi(accountDeleteRoute, accountDeleteHandler);
