/** Social login (API.md "Social login"): the browser flow, the native flow, and the caller's linked accounts. */
import { createRoute } from "@hono/zod-openapi";
import { bearerSecurity, errorResponses, everyRoute, jsonResponse, requestBody, withBearer, withBody } from "../../http/openapi";
import { socialAccountListSchema, socialAccountSchema } from "../../http/representations/social-accounts";
import { signInAnswerSchema } from "../../http/representations/sign-in";
import { callbackForm, callbackQuery, exchangeBody, loginQuery, nativeBody, providerParams, socialAccountIdParams } from "./social-login.schemas";

const tags = ["social login"];

const header = (description: string) => ({ schema: { type: "string" as const }, required: true, description });

const redirect = (description: string, extra: Record<string, ReturnType<typeof header>> = {}) => ({
  description,
  headers: { Location: header("Where the browser goes next."), ...extra },
});

const unknownProvider = { 404: errorResponses.notFound } as const;

export const loginRoute = createRoute({
  method: "get", path: "/social/{provider}/login", tags,
  summary: "Browser flow: send the browser to the provider (state, PKCE S256 and a nonce kept in a signed cookie)",
  request: { params: providerParams, query: loginQuery },
  responses: {
    302: redirect("To the provider's authorization page.", {
      "Set-Cookie": header("The login's sealed state: HttpOnly; Secure; SameSite=Lax; at most 10 minutes, on /api/auth/social/."),
    }),
    // `next` missing, or not one of OAUTH_REDIRECT_URLS: {"next": ["Invalid redirect URL."]}.
    400: errorResponses.badRequest,
    ...unknownProvider, ...everyRoute,
  },
});

export const callbackRoute = createRoute({
  method: "get", path: "/social/{provider}/callback", tags,
  summary: "Browser flow: the provider's redirect; back to the app with #code=<one-time code> or #error=<code>",
  request: { params: providerParams, query: callbackQuery },
  responses: {
    302: redirect("To the app's `next`, with `#code=<one-time code>` or `#error=access_denied|invalid_state|email_taken|inactive|server_error`; the state cookie is cleared."),
    // No state cookie to trust (missing, forged, expired, another provider's): {"detail": "Invalid or expired login state."}.
    400: errorResponses.badRequest,
    ...unknownProvider, ...everyRoute,
  },
});

export const callbackPostRoute = createRoute({
  method: "post", path: "/social/{provider}/callback", tags,
  summary: "Browser flow: a provider answering by form POST (Apple) is sent on to the GET callback, where the SameSite=Lax cookie comes along",
  request: { params: providerParams, body: requestBody(callbackForm) },
  responses: { 303: redirect("To the GET callback with the same code, state or error."), ...withBody, ...unknownProvider, ...everyRoute },
});

export const exchangeRoute = createRoute({
  method: "post", path: "/social/exchange", tags,
  summary: "Browser flow: the one-time code (once, within 60 s) for a sign-in",
  request: { body: requestBody(exchangeBody) },
  responses: {
    200: jsonResponse(signInAnswerSchema, "A new token pair and login session; with two-factor on, the challenge of the second step instead."),
    ...withBody, ...everyRoute,
  },
});

export const nativeLoginRoute = createRoute({
  method: "post", path: "/social/{provider}", tags,
  summary: "Native flow: sign in with the provider's ID token, access token (GitHub) or code with its PKCE verifier",
  request: { params: providerParams, body: requestBody(nativeBody) },
  responses: {
    200: jsonResponse(signInAnswerSchema, "A new token pair and login session; with two-factor on, the challenge of the second step instead."),
    ...withBody, ...unknownProvider, ...everyRoute,
  },
});

export const connectRoute = createRoute({
  method: "post", path: "/social/{provider}/connect", tags,
  summary: "Link a provider account to the caller (the native flow's bodies)",
  security: bearerSecurity,
  request: { params: providerParams, body: requestBody(nativeBody) },
  responses: { 200: jsonResponse(socialAccountSchema, "The linked account."), ...withBody, ...withBearer, ...unknownProvider, ...everyRoute },
});

export const socialAccountsRoute = createRoute({
  method: "get", path: "/social-accounts", tags, summary: "The caller's linked provider accounts",
  security: bearerSecurity,
  responses: { 200: jsonResponse(socialAccountListSchema, "The linked accounts, oldest first."), ...withBearer, ...everyRoute },
});

export const unlinkRoute = createRoute({
  method: "delete", path: "/social-accounts/{id}", tags,
  summary: "Unlink one of the caller's provider accounts (never the last way to sign in)",
  security: bearerSecurity,
  request: { params: socialAccountIdParams },
  responses: {
    204: { description: "Unlinked." },
    400: errorResponses.badRequestDetail,
    404: errorResponses.notFound,
    ...withBearer, ...everyRoute,
  },
});
