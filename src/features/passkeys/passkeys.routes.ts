/** Passkey (WebAuthn) routes, under /api/auth/passkeys: registration (signed in), discoverable login, the list and deletion. */
import { createRoute } from "@hono/zod-openapi";
import { bearerSecurity, errorResponses, everyRoute, jsonResponse, requestBody, withBearer, withBody } from "../../http/openapi";
import { passkeyIdParams, passkeyListSchema, passkeySchema } from "../../http/representations/passkeys";
import { tokenPairSchema } from "../../http/representations/sign-in";
import { creationOptionsSchema, passkeyLoginBody, passkeyRegisterBody, requestOptionsSchema } from "./passkeys.schemas";

const tags = ["passkeys"];

export const registrationOptionsRoute = createRoute({
  method: "post", path: "/passkeys/register/options", tags, summary: "Begin registering a passkey: WebAuthn creation options (a challenge for 5 minutes)",
  security: bearerSecurity,
  responses: { 200: jsonResponse(creationOptionsSchema, "The options for `navigator.credentials.create()`."), ...withBearer, ...everyRoute },
});

export const registerRoute = createRoute({
  method: "post", path: "/passkeys/register", tags, summary: "Register the passkey the browser created with those options",
  security: bearerSecurity,
  request: { body: requestBody(passkeyRegisterBody) },
  responses: { 201: jsonResponse(passkeySchema, "The passkey."), ...withBody, ...withBearer, ...everyRoute },
});

export const loginOptionsRoute = createRoute({
  method: "post", path: "/passkeys/login/options", tags, summary: "Begin a passkey login: WebAuthn request options (a challenge for 5 minutes)",
  responses: { 200: jsonResponse(requestOptionsSchema, "The options for `navigator.credentials.get()`."), ...everyRoute },
});

export const loginRoute = createRoute({
  method: "post", path: "/passkeys/login", tags, summary: "Sign in with a passkey (no username, no password, no second step)",
  request: { body: requestBody(passkeyLoginBody) },
  responses: { 200: jsonResponse(tokenPairSchema, "A new token pair and login session."), ...withBody, ...everyRoute },
});

export const passkeyListRoute = createRoute({
  method: "get", path: "/passkeys", tags, summary: "The caller's passkeys, oldest first",
  security: bearerSecurity,
  responses: { 200: jsonResponse(passkeyListSchema, "The passkeys."), ...withBearer, ...everyRoute },
});

export const passkeyDeleteRoute = createRoute({
  method: "delete", path: "/passkeys/{id}", tags, summary: "Delete one of the caller's passkeys (not their last way to sign in)",
  security: bearerSecurity,
  request: { params: passkeyIdParams },
  responses: { 204: { description: "Deleted." }, 400: errorResponses.badRequest, 404: errorResponses.notFound, ...withBearer, ...everyRoute },
});
