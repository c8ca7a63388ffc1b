import { createRoute, z } from "@hono/zod-openapi";
import { bearerSecurity, errorResponses, everyRoute, jsonResponse, withBearer } from "../../http/openapi";
import { cursorQuery, pageSizeQuery } from "../../http/pagination";
import { postPageSchema } from "../../http/representations/posts";

export const feedQuery = z.object({ cursor: cursorQuery, page_size: pageSizeQuery });

export const feedRoute = createRoute({
  method: "get", path: "/", tags: ["feed"],
  summary: "Posts of the users the caller follows (not their own), less muted and blocked users, newest first",
  description:
    "A new post reaches its author's followers' feeds within seconds (fanned out by a queue; the posts of authors with FEED_PULL_THRESHOLD followers or more are read from their own index instead). Unfollowing, muting or blocking hides an author's posts at once.",
  security: bearerSecurity,
  request: { query: feedQuery },
  responses: {
    200: jsonResponse(postPageSchema, "A page of posts."),
    404: errorResponses.notFound,
    ...withBearer, ...everyRoute,
  },
});
