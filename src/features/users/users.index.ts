import { createRouter } from "../../lib/router";
import { followListHandler, userChangeHandler, userDeleteHandler, userHandler, usersListHandler } from "./users.handlers";
import { followersRoute, followingRoute, userChangeRoute, userDeleteRoute, userRoute, usersListRoute } from "./users.routes";

export const usersRouter = createRouter()
  .openapi(usersListRoute, usersListHandler)
  .openapi(userRoute, userHandler)
  .openapi(userChangeRoute, userChangeHandler)
  .openapi(userDeleteRoute, userDeleteHandler)
  .openapi(followersRoute, followListHandler("followers"))
  .openapi(followingRoute, followListHandler("following"));
