import { createRouter } from "../../lib/router";
import { relatedListHandler, relationHandler, relationshipsHandler } from "./relations.handlers";
import { blockRoute, blocksListRoute, muteRoute, mutesListRoute, relationshipsRoute, unblockRoute, unmuteRoute } from "./relations.routes";

/** Mounted at /api, before the users routes (`/users/relationships` is not a user's id). */
export const relationsRouter = createRouter()
  .openapi(relationshipsRoute, relationshipsHandler)
  .openapi(blockRoute, relationHandler("block"))
  .openapi(unblockRoute, relationHandler("unblock"))
  .openapi(muteRoute, relationHandler("mute"))
  .openapi(unmuteRoute, relationHandler("unmute"))
  .openapi(blocksListRoute, relatedListHandler("blocks"))
  .openapi(mutesListRoute, relatedListHandler("mutes"));
