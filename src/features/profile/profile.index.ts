import { createRouter } from "../../lib/router";
import { accountDeleteHandler, accountExportHandler, profileGetHandler, profileUpdateHandler } from "./profile.handlers";
import { accountDeleteRoute, accountExportRoute, profileGetRoute, profilePatchRoute, profilePutRoute } from "./profile.routes";

export const profileRouter = createRouter()
  .openapi(profileGetRoute, profileGetHandler)
  .openapi(profilePutRoute, profileUpdateHandler)
  .openapi(profilePatchRoute, profileUpdateHandler)
  .openapi(accountDeleteRoute, accountDeleteHandler)
  .openapi(accountExportRoute, accountExportHandler);
