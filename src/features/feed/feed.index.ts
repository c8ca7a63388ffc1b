import { createRouter } from "../../lib/router";
import { feedHandler } from "./feed.handlers";
import { feedRoute } from "./feed.routes";

export const feedRouter = createRouter().openapi(feedRoute, feedHandler);
