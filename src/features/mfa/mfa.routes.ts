/** Two-factor (TOTP) routes, under /api/auth: setup, confirm, disable, recovery codes, and the second step of a sign-in. */
import { createRoute } from "@hono/zod-openapi";
import { bearerSecurity, detailSchema, errorResponses, everyRoute, jsonResponse, requestBody, withBearer, withBody } from "../../http/openapi";
import { tokenPairSchema } from "../../http/representations/sign-in";
import { currentPasswordBody, mfaVerifyBody, recoveryCodesSchema, totpConfirmBody, totpDisableBody, totpSetupSchema } from "./mfa.schemas";

const tags = ["two-factor"];
const signedIn = { ...withBody, ...withBearer, ...everyRoute, 429: errorResponses.throttled } as const;

export const totpSetupRoute = createRoute({
  method: "post", path: "/2fa/totp/setup", tags, summary: "Begin a TOTP setup: a new secret, pending until confirmed",
  security: bearerSecurity,
  request: { body: requestBody(currentPasswordBody) },
  responses: { 200: jsonResponse(totpSetupSchema, "The new secret (two-factor stays as it was until `totp/confirm/`)."), ...signedIn },
});

export const totpConfirmRoute = createRoute({
  method: "post", path: "/2fa/totp/confirm", tags, summary: "Turn two-factor on with a code of the pending secret",
  security: bearerSecurity,
  request: { body: requestBody(totpConfirmBody) },
  responses: { 200: jsonResponse(recoveryCodesSchema, "Two-factor is on; the recovery codes, shown once."), ...signedIn },
});

export const totpDisableRoute = createRoute({
  method: "post", path: "/2fa/totp/disable", tags, summary: "Turn two-factor off (password and a code, or a recovery code)",
  security: bearerSecurity,
  request: { body: requestBody(totpDisableBody) },
  responses: { 200: jsonResponse(detailSchema, "Two-factor is off; its secret and recovery codes are deleted."), ...signedIn },
});

export const recoveryCodesRoute = createRoute({
  method: "post", path: "/2fa/recovery-codes", tags, summary: "Replace the recovery codes",
  security: bearerSecurity,
  request: { body: requestBody(currentPasswordBody) },
  responses: { 200: jsonResponse(recoveryCodesSchema, "Ten new codes, shown once; the old ones no longer work."), ...signedIn },
});

export const mfaVerifyRoute = createRoute({
  method: "post", path: "/2fa/verify", tags, summary: "The second step of a sign-in: the mfa_token and a code",
  request: { body: requestBody(mfaVerifyBody) },
  responses: {
    200: jsonResponse(tokenPairSchema, "A new token pair and login session."),
    ...withBody, ...everyRoute,
    429: errorResponses.throttled,
  },
});
