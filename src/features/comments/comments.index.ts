import { createRouter } from "../../lib/router";
import {
  commentCreateHandler,
  commentDeleteHandler,
  commentHandler,
  commentUpdateHandler,
  commentsListHandler,
  postCommentCreateHandler,
  postCommentsHandler,
} from "./comments.handlers";
import {
  commentCreateRoute,
  commentDeleteRoute,
  commentPatchRoute,
  commentPutRoute,
  commentRoute,
  commentsListRoute,
  postCommentCreateRoute,
  postCommentsRoute,
} from "./comments.routes";

/** Mounted at /api: /posts/<id>/comments/ and /comments/... */
export const commentsRouter = createRouter()
  .openapi(postCommentsRoute, postCommentsHandler)
  .openapi(postCommentCreateRoute, postCommentCreateHandler)
  .openapi(commentsListRoute, commentsListHandler)
  .openapi(commentCreateRoute, commentCreateHandler)
  .openapi(commentRoute, commentHandler)
  .openapi(commentPutRoute, commentUpdateHandler)
  .openapi(commentPatchRoute, commentUpdateHandler)
  .openapi(commentDeleteRoute, commentDeleteHandler);
