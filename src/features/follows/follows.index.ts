import { createRouter } from "../../lib/router";
import { followHandler, unfollowHandler } from "./follows.handlers";
import { followRoute, unfollowRoute } from "./follows.routes";

export const followsRouter = createRouter().openapi(followRoute, followHandler).openapi(unfollowRoute, unfollowHandler);
