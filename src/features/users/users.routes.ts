import { createRoute } from "@hono/zod-openapi";
import { bearerSecurity, errorResponses, everyRoute, jsonResponse, withBearer } from "../../http/openapi";
import { adminUserPageSchema, followListQuery, publicUserPageSchema, publicUserSchema, userIdParams, usersListQuery } from "./users.schemas";

export const usersListRoute = createRoute({
  method: "get", path: "/", tags: ["users"], summary: "All users (staff only), page-number paginated",
  security: bearerSecurity,
  request: { query: usersListQuery },
  responses: {
    200: jsonResponse(adminUserPageSchema, "A page of users."),
    400: errorResponses.badRequest,
    403: errorResponses.forbidden,
    404: errorResponses.notFound,
    ...withBearer, ...everyRoute,
  },
});

export const userRoute = createRoute({
  method: "get", path: "/{id}", tags: ["users"], summary: "One user",
  security: bearerSecurity,
  request: { params: userIdParams },
  responses: { 200: jsonResponse(publicUserSchema, "The user."), 404: errorResponses.notFound, ...withBearer, ...everyRoute },
});

const followList = (direction: "followers" | "following") =>
  createRoute({
    method: "get", path: `/{id}/${direction}`, tags: ["follows"],
    summary: `${direction === "followers" ? "Who follows the user" : "Whom the user follows"}, newest first`,
    security: bearerSecurity,
    request: { params: userIdParams, query: followListQuery },
    responses: { 200: jsonResponse(publicUserPageSchema, "A page of users."), 404: errorResponses.notFound, ...withBearer, ...everyRoute },
  });

export const followersRoute = followList("followers");
export const followingRoute = followList("following");
