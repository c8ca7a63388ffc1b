import type { RouteHandler } from "@hono/zod-openapi";
import type { AppEnv } from "../../env";
import { callerDepsOf } from "../../lib/deps";
import type { followRoute, unfollowRoute } from "./follows.routes";
import { followUser, unfollowUser } from "./follows.service";

export const followHandler: RouteHandler<typeof followRoute, AppEnv> = async (c) => {
  const username = await followUser(callerDepsOf(c), { targetId: c.req.valid("param").id });
  return c.json({ detail: `You are now following ${username}.` }, 200);
};

export const unfollowHandler: RouteHandler<typeof unfollowRoute, AppEnv> = async (c) => {
  const username = await unfollowUser(callerDepsOf(c), { targetId: c.req.valid("param").id });
  return c.json({ detail: `You have unfollowed ${username}.` }, 200);
};
