import { Hono } from "hono";
import { requireBearer } from "../../auth/bearer";
import type { AppEnv } from "../../env";
import { ID, parseId } from "../../http/ids";
import { decodeCursor, pageNumber, pageSize } from "../../http/pagination";
import { adminList, followList, publicUser } from "./users.service";

export const usersRoutes = new Hono<AppEnv>()
  .use("*", requireBearer)
  .get("/", async (c) => {
    const url = new URL(c.req.url);
    const search = c.req.query("search")?.trim() || undefined;
    const page = await adminList(c.var.db, c.var.userId, url, {
      page: pageNumber(c.req.query("page")),
      size: pageSize(c.req.query("page_size")),
      search,
    });
    return c.json(page, 200);
  })
  .get(`/:id${ID}`, async (c) => {
    const user = await publicUser(c.var.db, c.var.userId, parseId(c.req.param("id")), new URL(c.req.url).origin);
    return c.json(user, 200);
  })
  .get(`/:id${ID}/followers`, async (c) => {
    const url = new URL(c.req.url);
    const cursor = decodeCursor(c.req.query("cursor"));
    const page = await followList(c.var.db, c.var.userId, parseId(c.req.param("id")), "followers", url, cursor, pageSize(c.req.query("page_size")));
    return c.json(page, 200);
  })
  .get(`/:id${ID}/following`, async (c) => {
    const url = new URL(c.req.url);
    const cursor = decodeCursor(c.req.query("cursor"));
    const page = await followList(c.var.db, c.var.userId, parseId(c.req.param("id")), "following", url, cursor, pageSize(c.req.query("page_size")));
    return c.json(page, 200);
  });
