import { createRouter } from "../../lib/router";
import { followListHandler, userHandler, usersListHandler } from "./users.handlers";
import { followersRoute, followingRoute, userRoute, usersListRoute } from "./users.routes";

export const usersRouter = createRouter()
  .openapi(usersListRoute, usersListHandler)
  .openapi(userRoute, userHandler)
  .openapi(followersRoute, followListHandler("followers"))
  .openapi(followingRoute, followListHandler("following"));
