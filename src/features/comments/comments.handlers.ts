import type { RouteHandler } from "@hono/zod-openapi";
import type { AppEnv } from "../../env";
import { cursorPage } from "../../http/pagination";
import { commentOf } from "../../http/representations/posts";
import { callerDepsOf, readerDepsOf } from "../../lib/deps";
import type { CommentRow, Entry } from "../../store";
import type {
  commentCreateRoute,
  commentDeleteRoute,
  commentPatchRoute,
  commentRoute,
  commentsListRoute,
  postCommentCreateRoute,
  postCommentsRoute,
} from "./comments.routes";
import { commentOnPost, commentOnPostInBody, deleteComment, editComment, listComments, listPostComments, readComment } from "./comments.service";

const present = (entry: Entry<CommentRow>) => commentOf(entry.row);

export const postCommentsHandler: RouteHandler<typeof postCommentsRoute, AppEnv> = async (c) => {
  const { cursor, page_size: size } = c.req.valid("query");
  const entries = await listPostComments(readerDepsOf(c), { postId: c.req.valid("param").id, cursor, size });
  return c.json(cursorPage(new URL(c.req.url), cursor, entries, size, present), 200);
};

export const postCommentCreateHandler: RouteHandler<typeof postCommentCreateRoute, AppEnv> = async (c) => {
  const comment = await commentOnPost(callerDepsOf(c), { postId: c.req.valid("param").id, content: c.req.valid("json").content });
  return c.json(commentOf(comment), 201);
};

export const commentsListHandler: RouteHandler<typeof commentsListRoute, AppEnv> = async (c) => {
  const query = c.req.valid("query");
  const { cursor, entries } = await listComments(readerDepsOf(c), { post: query.post, cursor: query.cursor, size: query.page_size });
  return c.json(cursorPage(new URL(c.req.url), cursor, entries, query.page_size, present), 200);
};

export const commentCreateHandler: RouteHandler<typeof commentCreateRoute, AppEnv> = async (c) => {
  const comment = await commentOnPostInBody(callerDepsOf(c), c.req.valid("json"));
  return c.json(commentOf(comment), 201);
};

export const commentHandler: RouteHandler<typeof commentRoute, AppEnv> = async (c) => {
  return c.json(commentOf(await readComment(readerDepsOf(c), c.req.valid("param"))), 200);
};

/** PUT and PATCH differ only in their body schema; one handler serves both. */
export const commentUpdateHandler: RouteHandler<typeof commentPatchRoute, AppEnv> = async (c) => {
  const comment = await editComment(callerDepsOf(c), { id: c.req.valid("param").id, changes: c.req.valid("json") });
  return c.json(commentOf(comment), 200);
};

export const commentDeleteHandler: RouteHandler<typeof commentDeleteRoute, AppEnv> = async (c) => {
  await deleteComment(callerDepsOf(c), c.req.valid("param"));
  return c.body(null, 204);
};
