/**
 * The Bearer middleware, with simplejwt's JWTAuthentication rules and bodies. It checks the
 * token only; the user row is read by the handler's own query (one D1 round trip per request)
 * and checked with `requireActiveUser`.
 */
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../env";
import { BadAuthorizationHeader, InvalidAccessToken, NotAuthenticated, UserInactive, UserNotFound } from "../http/errors";
import { TokenRejected, verifyToken } from "./tokens";

export const requireBearer = createMiddleware<AppEnv>(async (c, next) => {
  // Python's bytes.split(): runs of whitespace separate, leading and trailing ones vanish.
  const parts = (c.req.header("Authorization") ?? "").split(/\s+/).filter(Boolean);
  if (parts[0] !== "Bearer") throw new NotAuthenticated();
  if (parts.length !== 2) throw new BadAuthorizationHeader();
  try {
    const claims = await verifyToken(c.var.config, parts[1]!, "access");
    c.set("userId", claims.user_id);
  } catch (error) {
    if (!(error instanceof TokenRejected)) throw error;
    throw new InvalidAccessToken(error.reason === "wrong_type" ? "Token has wrong type" : "Token is invalid or expired");
  }
  await next();
});

/** Refuses a token whose user has since been deleted or deactivated. */
export function requireActiveUser<T extends { isActive: boolean }>(user: T | undefined): T {
  if (!user) throw new UserNotFound();
  if (!user.isActive) throw new UserInactive();
  return user;
}
