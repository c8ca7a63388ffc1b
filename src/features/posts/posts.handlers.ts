import type { RouteHandler } from "@hono/zod-openapi";
import type { AppEnv } from "../../env";
import { cursorPage } from "../../http/pagination";
import { postOf } from "../../http/representations/posts";
import { callerDepsOf, readerDepsOf } from "../../lib/deps";
import type { postCreateRoute, postDeleteRoute, postPatchRoute, postRoute, postsListRoute, userPostsRoute } from "./posts.routes";
import { createPost, deletePost, editPost, listPosts, listUserPosts, readPost } from "./posts.service";

export const postsListHandler: RouteHandler<typeof postsListRoute, AppEnv> = async (c) => {
  const query = c.req.valid("query");
  const { cursor, entries } = await listPosts(readerDepsOf(c), query);
  return c.json(cursorPage(new URL(c.req.url), cursor, entries, query.page_size, (entry) => postOf(entry.row)), 200);
};

export const postCreateHandler: RouteHandler<typeof postCreateRoute, AppEnv> = async (c) => {
  const post = await createPost(callerDepsOf(c), c.req.valid("json"));
  return c.json(postOf(post), 201);
};

export const postHandler: RouteHandler<typeof postRoute, AppEnv> = async (c) => {
  return c.json(postOf(await readPost(readerDepsOf(c), c.req.valid("param"))), 200);
};

/** PUT and PATCH differ only in their body schema; one handler serves both. */
export const postUpdateHandler: RouteHandler<typeof postPatchRoute, AppEnv> = async (c) => {
  const post = await editPost(callerDepsOf(c), { id: c.req.valid("param").id, changes: c.req.valid("json") });
  return c.json(postOf(post), 200);
};

export const postDeleteHandler: RouteHandler<typeof postDeleteRoute, AppEnv> = async (c) => {
  await deletePost(callerDepsOf(c), c.req.valid("param"));
  return c.body(null, 204);
};

export const userPostsHandler: RouteHandler<typeof userPostsRoute, AppEnv> = async (c) => {
  const { cursor, page_size: size } = c.req.valid("query");
  const entries = await listUserPosts(readerDepsOf(c), { userId: c.req.valid("param").id, cursor, size });
  return c.json(cursorPage(new URL(c.req.url), cursor, entries, size, (entry) => postOf(entry.row)), 200);
};
