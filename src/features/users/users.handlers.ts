import type { RouteHandler } from "@hono/zod-openapi";
import type { FollowDirection } from "../../store";
import type { AppEnv } from "../../env";
import { cursorPage, numberedPage } from "../../http/pagination";
import { callerDepsOf } from "../../lib/deps";
import { adminUserOf, publicUserOf } from "../../http/representations/users";
import { changeUser, deleteUser } from "./users.admin";
import type { followersRoute, userChangeRoute, userDeleteRoute, userRoute, usersListRoute } from "./users.routes";
import { listFollows, listUsers, seeUser } from "./users.service";

export const usersListHandler: RouteHandler<typeof usersListRoute, AppEnv> = async (c) => {
  const query = c.req.valid("query");
  const url = new URL(c.req.url);
  const { page, count, rows } = await listUsers(callerDepsOf(c), { page: query.page, size: query.page_size, search: query.search });
  const users = rows.map((row) => adminUserOf(row, url.origin));
  return c.json(numberedPage(url, page, query.page_size, count, users), 200);
};

export const userHandler: RouteHandler<typeof userRoute, AppEnv> = async (c) => {
  const { user, isFollowing, asAdmin } = await seeUser(callerDepsOf(c), { id: c.req.valid("param").id });
  const origin = new URL(c.req.url).origin;
  return c.json(asAdmin ? adminUserOf(user, origin) : publicUserOf(user, isFollowing, origin), 200);
};

export const userChangeHandler: RouteHandler<typeof userChangeRoute, AppEnv> = async (c) => {
  const user = await changeUser(callerDepsOf(c), { id: c.req.valid("param").id, changes: c.req.valid("json") });
  return c.json(adminUserOf(user, new URL(c.req.url).origin), 200);
};

export const userDeleteHandler: RouteHandler<typeof userDeleteRoute, AppEnv> = async (c) => {
  await deleteUser(callerDepsOf(c), { id: c.req.valid("param").id });
  return c.body(null, 204);
};

/** Followers and following share one definition shape, so one handler serves both. */
export const followListHandler = (direction: FollowDirection): RouteHandler<typeof followersRoute, AppEnv> =>
  async (c) => {
    const { cursor, page_size: size } = c.req.valid("query");
    const url = new URL(c.req.url);
    const rows = await listFollows(callerDepsOf(c), { ownerId: c.req.valid("param").id, direction, cursor, size });
    return c.json(cursorPage(url, cursor, rows, size, (row) => publicUserOf(row.user, Boolean(row.isFollowing), url.origin)), 200);
  };
