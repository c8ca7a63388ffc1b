import { createRoute, z } from "@hono/zod-openapi";
import { bearerSecurity, errorResponses, everyRoute, jsonResponse, withBearer } from "../../http/openapi";
import { postIdParams } from "../../http/representations/posts";

const likeResultSchema = z
  .object({ detail: z.string(), likes_count: z.number().int().meta({ description: "The post's likes after the change." }) })
  .meta({ id: "LikeResult" });

export const likeRoute = createRoute({
  method: "post", path: "/posts/{id}/like", tags: ["likes"], summary: "Like a post (once; your own too)",
  security: bearerSecurity,
  request: { params: postIdParams },
  responses: {
    201: jsonResponse(likeResultSchema, 'Liked: {"detail": "Post liked.", "likes_count"}.'),
    400: errorResponses.badRequestDetail,
    404: errorResponses.notFound,
    ...withBearer, ...everyRoute,
  },
});

export const unlikeRoute = createRoute({
  method: "post", path: "/posts/{id}/unlike", tags: ["likes"], summary: "Take a like back",
  security: bearerSecurity,
  request: { params: postIdParams },
  responses: {
    200: jsonResponse(likeResultSchema, 'Unliked: {"detail": "Post unliked.", "likes_count"}.'),
    400: errorResponses.badRequestDetail,
    404: errorResponses.notFound,
    ...withBearer, ...everyRoute,
  },
});
