import { Hono } from "hono";
import { requireBearer } from "../../auth/bearer";
import type { AppEnv } from "../../env";
import { ID, parseId } from "../../http/ids";
import { followUser, unfollowUser } from "./follows.service";

export const followsRoutes = new Hono<AppEnv>()
  .use(`/follow/:id${ID}`, requireBearer)
  .use(`/unfollow/:id${ID}`, requireBearer)
  .post(`/follow/:id${ID}`, async (c) => {
    const username = await followUser(c.var.db, c.var.userId, parseId(c.req.param("id")));
    return c.json({ detail: `You are now following ${username}.` }, 200);
  })
  .post(`/unfollow/:id${ID}`, async (c) => {
    const username = await unfollowUser(c.var.db, c.var.userId, parseId(c.req.param("id")));
    return c.json({ detail: `You have unfollowed ${username}.` }, 200);
  });
