import { createRouter } from "../../lib/router";
import { followHandler } from "./follows.handlers";
import { followRoute, unfollowRoute } from "./follows.routes";

export const followsRouter = createRouter().openapi(followRoute, followHandler("follow")).openapi(unfollowRoute, followHandler("unfollow"));
