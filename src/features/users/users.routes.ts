import { createRoute, z } from "@hono/zod-openapi";
import { bearerSecurity, errorResponses, everyRoute, jsonResponse, requestBody, withBearer, withBody } from "../../http/openapi";
import { adminUserPageSchema, adminUserSchema, publicUserPageSchema, publicUserSchema, userIdParams } from "../../http/representations/user-schemas";
import { adminUserChangeBody, followListQuery, usersListQuery } from "./users.schemas";

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
  responses: {
    200: jsonResponse(z.union([adminUserSchema, publicUserSchema]), "The user: the admin shape for staff callers, the public one for others."),
    404: errorResponses.notFound,
    ...withBearer, ...everyRoute,
  },
});

export const userChangeRoute = createRoute({
  method: "patch", path: "/{id}", tags: ["users"], summary: "Activate, deactivate (ending every session), grant or revoke staff, turn two-factor off (admins; is_staff, mfa_enabled: superusers)",
  security: bearerSecurity,
  request: { params: userIdParams, body: requestBody(adminUserChangeBody) },
  responses: {
    200: jsonResponse(adminUserSchema, "The user after the change."),
    400: errorResponses.badRequest,
    403: errorResponses.forbidden,
    404: errorResponses.notFound,
    413: withBody[413], 415: withBody[415],
    ...withBearer, ...everyRoute,
  },
});

export const userDeleteRoute = createRoute({
  method: "delete", path: "/{id}", tags: ["users"], summary: "Delete a user as account deletion does (superusers)",
  security: bearerSecurity,
  request: { params: userIdParams },
  responses: {
    204: { description: "Deleted." },
    400: errorResponses.badRequestDetail,
    403: errorResponses.forbidden,
    404: errorResponses.notFound,
    ...withBearer, ...everyRoute,
  },
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
