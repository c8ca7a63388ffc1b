import { type Context, Hono } from "hono";
import { requireBearer } from "../../auth/bearer";
import type { FollowDirection } from "../../db/follows";
import type { AppEnv } from "../../env";
import { ValidationFailed } from "../../http/errors";
import { MESSAGES } from "../../http/fields";
import { ID, parseId } from "../../http/ids";
import { decodeCursor, pageNumber, pageSize } from "../../http/pagination";
import { adminList, followList, publicUser } from "./users.service";

// Authentication runs before the method check (as in DRF), but only on known paths: others are 404.
const FOLLOWERS = `/:id${ID}/followers`;
const FOLLOWING = `/:id${ID}/following`;

export const usersRoutes = new Hono<AppEnv>()
  .use("/", requireBearer)
  .use(`/:id${ID}`, requireBearer)
  .use(FOLLOWERS, requireBearer)
  .use(FOLLOWING, requireBearer)
  .get("/", async (c) => {
    const url = new URL(c.req.url);
    const search = searchTerm(c.req.query("search"));
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
  .get(FOLLOWERS, (c) => followListResponse(c, "followers"))
  .get(FOLLOWING, (c) => followListResponse(c, "following"));

/** Longer than an email can be, a search term cannot match; it is refused like an over-long field. */
function searchTerm(raw: string | undefined): string | undefined {
  const term = raw?.trim();
  if (term && term.length > 254) throw new ValidationFailed({ search: [MESSAGES.maxLength(254)] });
  return term || undefined;
}

async function followListResponse(c: Context<AppEnv>, direction: FollowDirection) {
  const url = new URL(c.req.url);
  const cursor = decodeCursor(c.req.query("cursor"));
  const ownerId = parseId(c.req.param("id") ?? "");
  const page = await followList(c.var.db, c.var.userId, ownerId, direction, url, cursor, pageSize(c.req.query("page_size")));
  return c.json(page, 200);
}
