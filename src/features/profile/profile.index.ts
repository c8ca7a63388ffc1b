import { createRouter } from "../../lib/router";
import { profileGetHandler, profileUpdateHandler } from "./profile.handlers";
import { profileGetRoute, profilePatchRoute, profilePutRoute } from "./profile.routes";

export const profileRouter = createRouter()
  .openapi(profileGetRoute, profileGetHandler)
  .openapi(profilePutRoute, profileUpdateHandler)
  .openapi(profilePatchRoute, profileUpdateHandler);
