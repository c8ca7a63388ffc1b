import type { RouteHandler } from "@hono/zod-openapi";
import type { AppEnv } from "../../env";
import { callerDepsOf } from "../../lib/deps";
import type { likeRoute, unlikeRoute } from "./likes.routes";
import { likePost, unlikePost } from "./likes.service";

export const likeHandler: RouteHandler<typeof likeRoute, AppEnv> = async (c) => {
  const likesCount = await likePost(callerDepsOf(c), c.req.valid("param"));
  return c.json({ detail: "Post liked.", likes_count: likesCount }, 201);
};

export const unlikeHandler: RouteHandler<typeof unlikeRoute, AppEnv> = async (c) => {
  const likesCount = await unlikePost(callerDepsOf(c), c.req.valid("param"));
  return c.json({ detail: "Post unliked.", likes_count: likesCount }, 200);
};
