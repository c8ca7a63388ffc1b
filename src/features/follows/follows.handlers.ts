import type { RouteHandler } from "@hono/zod-openapi";
import type { AppEnv } from "../../env";
import { callerDepsOf } from "../../lib/deps";
import type { followRoute } from "./follows.routes";
import { type FollowAction, changeFollow } from "./follows.service";

const DONE = {
  follow: (username: string) => `You are now following ${username}.`,
  unfollow: (username: string) => `You have unfollowed ${username}.`,
};

/** Follow and unfollow share one definition shape; this makes the handler of each. */
export const followHandler = (action: FollowAction): RouteHandler<typeof followRoute, AppEnv> => async (c) => {
  const username = await changeFollow(callerDepsOf(c), { targetId: c.req.valid("param").id, action });
  return c.json({ detail: DONE[action](username) }, 200);
};
