import type { RouteHandler } from "@hono/zod-openapi";
import type { AppEnv } from "../../env";
import { cursorPage } from "../../http/pagination";
import { relationshipOf } from "../../http/representations/social";
import { publicUserOf } from "../../http/representations/users";
import { callerDepsOf } from "../../lib/deps";
import type { blockRoute, blocksListRoute, relationshipsRoute } from "./relations.routes";
import { type RelationAction, changeRelation, listRelated, relationships } from "./relations.service";

/** Block, unblock, mute and unmute share one definition shape; this makes the handler of each. */
export const relationHandler = (action: RelationAction): RouteHandler<typeof blockRoute, AppEnv> => async (c) => {
  const relationship = await changeRelation(callerDepsOf(c), { action, targetId: c.req.valid("param").id });
  return c.json(relationshipOf(relationship), 200);
};

/** The blocks and mutes lists share one definition shape too. */
export const relatedListHandler = (kind: "blocks" | "mutes"): RouteHandler<typeof blocksListRoute, AppEnv> => async (c) => {
  const { cursor, page_size: size } = c.req.valid("query");
  const url = new URL(c.req.url);
  const entries = await listRelated(callerDepsOf(c), { kind, cursor, size });
  return c.json(cursorPage(url, cursor, entries, size, (entry) => publicUserOf(entry.row.user, entry.row.isFollowing, url.origin)), 200);
};

export const relationshipsHandler: RouteHandler<typeof relationshipsRoute, AppEnv> = async (c) => {
  const rows = await relationships(callerDepsOf(c), { ids: c.req.valid("query").id });
  return c.json({ results: rows.map(relationshipOf) }, 200);
};
