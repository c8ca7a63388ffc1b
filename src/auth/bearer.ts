/**
 * The Bearer check, with simplejwt's JWTAuthentication rules and bodies. The router puts it in
 * front of every route whose definition has bearer security; it checks the token and hands the
 * handler a `CallerStore`, whose every method reads the caller (user and session) with its work.
 */
import { createMiddleware } from "hono/factory";
import type { Config } from "../config";
import type { AppEnv } from "../env";
import { BadAuthorizationHeader, InvalidAccessToken, NotAuthenticated } from "../http/errors";
import { type TokenClaims, TokenRejected, verifyToken } from "./tokens";

/** The claims of the access token in an Authorization header, or the 401 simplejwt gives. */
export async function bearerClaims(config: Config, authorization: string | undefined): Promise<TokenClaims> {
  // Python's bytes.split(): runs of whitespace separate, leading and trailing ones vanish.
  const parts = (authorization ?? "").split(/\s+/).filter(Boolean);
  if (parts[0] !== "Bearer") throw new NotAuthenticated();
  if (parts.length !== 2) throw new BadAuthorizationHeader();
  try {
    return await verifyToken(config, parts[1]!, "access");
  } catch (error) {
    if (!(error instanceof TokenRejected)) throw error;
    throw new InvalidAccessToken(error.reason === "wrong_type" ? "Token has wrong type" : "Token is invalid or expired");
  }
}

export const authenticate = createMiddleware<AppEnv>(async (c, next) => {
  const claims = await bearerClaims(c.get("config"), c.req.header("Authorization"));
  c.set("userId", claims.user_id);
  c.set("caller", c.get("store").caller({ id: claims.user_id, sessionId: claims.sid! }));
  await next();
});

/**
 * On routes anyone may call: a request with a Bearer header is authenticated exactly as above
 * (a bad token is the 401, never a silent anonymous read); one without is anonymous (DRF's
 * JWTAuthentication also leaves other schemes to the next authenticator, here none).
 */
export const authenticateIfPresent = createMiddleware<AppEnv>(async (c, next) => {
  const header = c.req.header("Authorization");
  if (!header || header.trim().split(/\s+/)[0] !== "Bearer") return next();
  return authenticate(c, next);
});
