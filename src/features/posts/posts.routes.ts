import { createRoute, z } from "@hono/zod-openapi";
import { bearerSecurity, errorResponses, everyRoute, jsonResponse, optionalBearerSecurity, requestBody, withBearer, withBody } from "../../http/openapi";
import { cursorQuery, pageSizeQuery } from "../../http/pagination";
import { postIdParams, postPageSchema, postSchema } from "../../http/representations/posts";
import { userIdParams } from "../../http/representations/user-schemas";
import { postBody, postPatchBody, postsListQuery } from "./posts.schemas";

const tags = ["posts"];

export const postsListRoute = createRoute({
  method: "get", path: "/posts", tags, summary: "Posts, newest first (search, author filter)",
  security: optionalBearerSecurity,
  request: { query: postsListQuery },
  responses: {
    200: jsonResponse(postPageSchema, "A page of posts."),
    400: errorResponses.badRequest,
    404: errorResponses.notFound,
    ...withBearer, ...everyRoute,
  },
});

export const postCreateRoute = createRoute({
  method: "post", path: "/posts", tags, summary: "Publish a post",
  security: bearerSecurity,
  request: { body: requestBody(postBody) },
  responses: { 201: jsonResponse(postSchema, "The new post."), ...withBody, ...withBearer, ...everyRoute },
});

export const postRoute = createRoute({
  method: "get", path: "/posts/{id}", tags, summary: "One post",
  security: optionalBearerSecurity,
  request: { params: postIdParams },
  responses: { 200: jsonResponse(postSchema, "The post."), 404: errorResponses.notFound, ...withBearer, ...everyRoute },
});

const update = (method: "put" | "patch") =>
  createRoute({
    method, path: "/posts/{id}", tags,
    summary: method === "put" ? "Edit a post (its author; both fields)" : "Edit a post (its author; any of the fields)",
    security: bearerSecurity,
    request: { params: postIdParams, body: requestBody(method === "put" ? postBody : postPatchBody) },
    responses: {
      200: jsonResponse(postSchema, "The post after the edit."),
      403: errorResponses.forbidden,
      404: errorResponses.notFound,
      ...withBody, ...withBearer, ...everyRoute,
    },
  });

export const postPutRoute = update("put");
export const postPatchRoute = update("patch");

export const postDeleteRoute = createRoute({
  method: "delete", path: "/posts/{id}", tags, summary: "Delete a post (its author), with its comments, likes and their notifications",
  security: bearerSecurity,
  request: { params: postIdParams },
  responses: { 204: { description: "Deleted." }, 403: errorResponses.forbidden, 404: errorResponses.notFound, ...withBearer, ...everyRoute },
});

export const userPostsRoute = createRoute({
  method: "get", path: "/users/{id}/posts", tags, summary: "A user's posts, newest first",
  security: optionalBearerSecurity,
  request: { params: userIdParams, query: z.object({ cursor: cursorQuery, page_size: pageSizeQuery }) },
  responses: { 200: jsonResponse(postPageSchema, "A page of posts."), 404: errorResponses.notFound, ...withBearer, ...everyRoute },
});
