/** Login, refresh, verify and logout: simplejwt's token routes plus logout and logout-all. */
import { createRoute } from "@hono/zod-openapi";
import {
  bearerSecurity,
  detailSchema,
  errorResponses,
  everyRoute,
  jsonResponse,
  requestBody,
  withBearer,
  withBody,
} from "../../http/openapi";
import { emptySchema, loginBody, refreshBody, signInAnswerSchema, tokenPairSchema, verifyBody } from "./tokens.schemas";

const tags = ["auth"];

/** Token routes answer a refused token with simplejwt's short 401 bodies. */
const badToken = { 401: errorResponses.unauthorized } as const;

export const loginRoute = createRoute({
  method: "post", path: "/login", tags, summary: "Log in: a refresh and an access token",
  request: { body: requestBody(loginBody) },
  responses: {
    200: jsonResponse(signInAnswerSchema, "A new token pair and login session; with two-factor on, the challenge of the second step (POST /api/auth/2fa/verify/) instead."),
    ...withBody, ...everyRoute,
    401: errorResponses.unauthorized,
    429: errorResponses.throttled,
  },
});

export const refreshRoute = createRoute({
  method: "post", path: "/token/refresh", tags, summary: "Rotate a refresh token",
  request: { body: requestBody(refreshBody) },
  responses: {
    200: jsonResponse(tokenPairSchema, "A new access and refresh token; the old refresh token is revoked."),
    ...withBody, ...everyRoute, ...badToken,
  },
});

export const verifyRoute = createRoute({
  method: "post", path: "/token/verify", tags, summary: "Verify a token of either type",
  request: { body: requestBody(verifyBody) },
  responses: { 200: jsonResponse(emptySchema, "The token is valid."), ...withBody, ...everyRoute, ...badToken },
});

export const logoutRoute = createRoute({
  method: "post", path: "/logout", tags, summary: "End the login session of a refresh token",
  request: { body: requestBody(refreshBody) },
  responses: { 200: jsonResponse(detailSchema, "Logged out."), ...withBody, ...everyRoute, ...badToken },
});

export const logoutAllRoute = createRoute({
  method: "post", path: "/logout/all", tags, summary: "End every login session of the caller",
  security: bearerSecurity,
  responses: { 200: jsonResponse(detailSchema, "Logged out everywhere."), ...withBearer, ...everyRoute },
});
