import { createRoute } from "@hono/zod-openapi";
import { detailSchema, errorResponses, everyRoute, jsonResponse, requestBody, withBody } from "../../http/openapi";
import { registerBody, resendEmailBody, verifyEmailBody } from "./registration.schemas";

export const registerRoute = createRoute({
  method: "post", path: "/register", tags: ["auth"], summary: "Register a user",
  request: { body: requestBody(registerBody) },
  responses: {
    201: jsonResponse(detailSchema, "Registered."),
    ...withBody, ...everyRoute,
    429: errorResponses.throttled,
  },
});

export const verifyEmailRoute = createRoute({
  method: "post", path: "/registration/verify-email", tags: ["auth"], summary: "Confirm an email address with the key of a verification link",
  request: { body: requestBody(verifyEmailBody) },
  responses: { 200: jsonResponse(detailSchema, "Verified."), 404: errorResponses.notFound, ...withBody, ...everyRoute },
});

export const resendEmailRoute = createRoute({
  method: "post", path: "/registration/resend-email", tags: ["auth"],
  summary: "Mail a new verification link (the same answer whether or not the address is an unverified user's)",
  request: { body: requestBody(resendEmailBody) },
  responses: { 200: jsonResponse(detailSchema, "Sent, if the address is an unverified user's."), ...withBody, ...everyRoute, 429: errorResponses.throttled },
});
