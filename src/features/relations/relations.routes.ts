import { createRoute, z } from "@hono/zod-openapi";
import { bearerSecurity, errorResponses, everyRoute, jsonResponse, withBearer } from "../../http/openapi";
import { relationshipSchema } from "../../http/representations/social";
import { publicUserPageSchema, userIdParams } from "../../http/representations/user-schemas";
import type { RelationAction } from "./relations.service";
import { relatedListQuery, relationshipsQuery } from "./relations.schemas";

const SUMMARIES: Record<RelationAction, string> = {
  block: "Block a user (idempotent): ends the follows both ways; while it stands neither side sees the other's posts and comments, nor can follow",
  unblock: "Unblock a user (idempotent); no follow comes back",
  mute: "Mute a user (idempotent): their posts leave the caller's feed, their notifications the caller's list",
  unmute: "Unmute a user (idempotent)",
};

const change = (action: RelationAction) =>
  createRoute({
    method: "post", path: `/users/{id}/${action}`, tags: ["relations"], summary: SUMMARIES[action],
    security: bearerSecurity,
    request: { params: userIdParams },
    responses: {
      200: jsonResponse(relationshipSchema, "The caller's relationship with the user, after the change."),
      400: errorResponses.badRequestDetail,
      404: errorResponses.notFound,
      ...withBearer, ...everyRoute,
    },
  });

export const blockRoute = change("block");
export const unblockRoute = change("unblock");
export const muteRoute = change("mute");
export const unmuteRoute = change("unmute");

const list = (kind: "blocks" | "mutes") =>
  createRoute({
    method: "get", path: `/auth/${kind}`, tags: ["relations"],
    summary: `The users the caller ${kind === "blocks" ? "blocks" : "mutes"}, latest first`,
    security: bearerSecurity,
    request: { query: relatedListQuery },
    responses: { 200: jsonResponse(publicUserPageSchema, "A page of users."), 404: errorResponses.notFound, ...withBearer, ...everyRoute },
  });

export const blocksListRoute = list("blocks");
export const mutesListRoute = list("mutes");

export const relationshipsRoute = createRoute({
  method: "get", path: "/users/relationships", tags: ["relations"],
  summary: "The caller's relationships with up to 40 users: one per known id, in the order asked, repeats once",
  security: bearerSecurity,
  request: { query: relationshipsQuery },
  responses: {
    200: jsonResponse(z.object({ results: z.array(relationshipSchema) }).meta({ id: "RelationshipList" }), "The relationships."),
    400: errorResponses.badRequest,
    ...withBearer, ...everyRoute,
  },
});
