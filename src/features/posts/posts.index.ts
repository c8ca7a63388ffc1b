import { createRouter } from "../../lib/router";
import { postCreateHandler, postDeleteHandler, postHandler, postUpdateHandler, postsListHandler, userPostsHandler } from "./posts.handlers";
import { postCreateRoute, postDeleteRoute, postPatchRoute, postPutRoute, postRoute, postsListRoute, userPostsRoute } from "./posts.routes";

/** Mounted at /api: /posts/... and /users/<id>/posts/. */
export const postsRouter = createRouter()
  .openapi(postsListRoute, postsListHandler)
  .openapi(postCreateRoute, postCreateHandler)
  .openapi(postRoute, postHandler)
  .openapi(postPutRoute, postUpdateHandler)
  .openapi(postPatchRoute, postUpdateHandler)
  .openapi(postDeleteRoute, postDeleteHandler)
  .openapi(userPostsRoute, userPostsHandler);
