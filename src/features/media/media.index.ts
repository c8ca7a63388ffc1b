import { createRouter } from "../../lib/router";
import { mediaHandler } from "./media.handlers";
import { mediaRoute } from "./media.routes";

export const mediaRouter = createRouter().openapi(mediaRoute, mediaHandler);
