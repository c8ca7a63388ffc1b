import type { RouteHandler } from "@hono/zod-openapi";
import type { AppEnv } from "../../env";
import { cursorPage } from "../../http/pagination";
import { postOf } from "../../http/representations/posts";
import { callerDepsOf } from "../../lib/deps";
import type { feedRoute } from "./feed.routes";
import { readFeed } from "./feed.service";

export const feedHandler: RouteHandler<typeof feedRoute, AppEnv> = async (c) => {
  const { cursor, page_size: size } = c.req.valid("query");
  const entries = await readFeed(callerDepsOf(c), { cursor, size });
  return c.json(cursorPage(new URL(c.req.url), cursor, entries, size, (entry) => postOf(entry.row)), 200);
};
