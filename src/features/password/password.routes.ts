import { createRoute } from "@hono/zod-openapi";
import { bearerSecurity, detailSchema, errorResponses, everyRoute, jsonResponse, requestBody, withBearer, withBody } from "../../http/openapi";
import { passwordChangeBody, passwordResetBody, passwordResetConfirmBody } from "./password.schemas";

export const passwordChangeRoute = createRoute({
  method: "post", path: "/password/change", tags: ["auth"], summary: "Change the caller's password",
  security: bearerSecurity,
  request: { body: requestBody(passwordChangeBody) },
  responses: {
    200: jsonResponse(detailSchema, "Saved; every login session of the user has ended."),
    ...withBody, ...withBearer, ...everyRoute,
    429: errorResponses.throttled,
  },
});

export const passwordResetRoute = createRoute({
  method: "post", path: "/password/reset", tags: ["auth"],
  summary: "Mail a password-reset link (the same answer whether or not the address is a user's)",
  request: { body: requestBody(passwordResetBody) },
  responses: { 200: jsonResponse(detailSchema, "Sent, if the address is an active user's."), ...withBody, ...everyRoute, 429: errorResponses.throttled },
});

export const passwordResetConfirmRoute = createRoute({
  method: "post", path: "/password/reset/confirm", tags: ["auth"],
  summary: "Set a new password with the uid and token of a reset link; every session ends",
  request: { body: requestBody(passwordResetConfirmBody) },
  responses: { 200: jsonResponse(detailSchema, "Password reset."), ...withBody, ...everyRoute },
});
