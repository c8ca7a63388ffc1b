import { createRoute } from "@hono/zod-openapi";
import { bearerSecurity, errorResponses, everyRoute, jsonResponse, optionalBearerSecurity, requestBody, withBearer, withBody } from "../../http/openapi";
import { commentIdParams, commentPageSchema, commentSchema, postIdParams } from "../../http/representations/posts";
import { commentBody, commentPatchBody, commentsListQuery, flatCommentBody, postCommentsQuery } from "./comments.schemas";

const tags = ["comments"];

export const postCommentsRoute = createRoute({
  method: "get", path: "/posts/{id}/comments", tags, summary: "A post's comments, newest first",
  security: optionalBearerSecurity,
  request: { params: postIdParams, query: postCommentsQuery },
  responses: { 200: jsonResponse(commentPageSchema, "A page of comments."), 404: errorResponses.notFound, ...withBearer, ...everyRoute },
});

export const postCommentCreateRoute = createRoute({
  method: "post", path: "/posts/{id}/comments", tags, summary: "Comment on a post",
  security: bearerSecurity,
  request: { params: postIdParams, body: requestBody(commentBody) },
  responses: { 201: jsonResponse(commentSchema, "The new comment."), 404: errorResponses.notFound, ...withBody, ...withBearer, ...everyRoute },
});

export const commentsListRoute = createRoute({
  method: "get", path: "/comments", tags, summary: "Comments, newest first: a post's (?post=), or every one the reader may see",
  security: optionalBearerSecurity,
  request: { query: commentsListQuery },
  responses: {
    200: jsonResponse(commentPageSchema, "A page of comments."),
    400: errorResponses.badRequest,
    404: errorResponses.notFound,
    ...withBearer, ...everyRoute,
  },
});

export const commentCreateRoute = createRoute({
  method: "post", path: "/comments", tags, summary: "Comment on a post (the course's flat shape: the post's id in the body)",
  security: bearerSecurity,
  request: { body: requestBody(flatCommentBody) },
  responses: { 201: jsonResponse(commentSchema, "The new comment."), ...withBody, ...withBearer, ...everyRoute },
});

export const commentRoute = createRoute({
  method: "get", path: "/comments/{id}", tags, summary: "One comment",
  security: optionalBearerSecurity,
  request: { params: commentIdParams },
  responses: { 200: jsonResponse(commentSchema, "The comment."), 404: errorResponses.notFound, ...withBearer, ...everyRoute },
});

const update = (method: "put" | "patch") =>
  createRoute({
    method, path: "/comments/{id}", tags, summary: "Edit a comment (its author)",
    security: bearerSecurity,
    request: { params: commentIdParams, body: requestBody(method === "put" ? commentBody : commentPatchBody) },
    responses: {
      200: jsonResponse(commentSchema, "The comment after the edit."),
      403: errorResponses.forbidden,
      404: errorResponses.notFound,
      ...withBody, ...withBearer, ...everyRoute,
    },
  });

export const commentPutRoute = update("put");
export const commentPatchRoute = update("patch");

export const commentDeleteRoute = createRoute({
  method: "delete", path: "/comments/{id}", tags, summary: "Delete a comment (its author)",
  security: bearerSecurity,
  request: { params: commentIdParams },
  responses: { 204: { description: "Deleted." }, 403: errorResponses.forbidden, 404: errorResponses.notFound, ...withBearer, ...everyRoute },
});
