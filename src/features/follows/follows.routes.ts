import { createRoute } from "@hono/zod-openapi";
import { bearerSecurity, detailSchema, errorResponses, everyRoute, jsonResponse, withBearer } from "../../http/openapi";
import { userIdParams } from "../../http/representations/user-schemas";

const action = (name: "follow" | "unfollow") =>
  createRoute({
    method: "post", path: `/${name}/{id}`, tags: ["follows"],
    summary: `${name === "follow" ? "Follow" : "Unfollow"} a user (idempotent)`,
    security: bearerSecurity,
    request: { params: userIdParams },
    responses: {
      200: jsonResponse(detailSchema, "Done."),
      400: errorResponses.badRequestDetail,
      // A follow while a block stands either way.
      ...(name === "follow" ? { 403: errorResponses.forbidden } : {}),
      404: errorResponses.notFound,
      ...withBearer, ...everyRoute,
    },
  });

export const followRoute = action("follow");
export const unfollowRoute = action("unfollow");
