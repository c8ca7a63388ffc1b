import { createRouter } from "../../lib/router";
import { likeHandler, unlikeHandler } from "./likes.handlers";
import { likeRoute, unlikeRoute } from "./likes.routes";

/** Mounted at /api: /posts/<id>/like/ and /unlike/. */
export const likesRouter = createRouter().openapi(likeRoute, likeHandler).openapi(unlikeRoute, unlikeHandler);
