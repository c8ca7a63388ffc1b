/** GET /media/<key>: pictures streamed from R2, cacheable forever (keys are never reused). */
import type { RouteHandler } from "@hono/zod-openapi";
import type { AppEnv } from "../../env";
import { NotFound } from "../../http/errors";
import type { mediaRoute } from "./media.routes";
import { isServableKey } from "../../pictures/picture-store";

export const mediaHandler: RouteHandler<typeof mediaRoute, AppEnv> = async (c) => {
  const key = c.req.param("key");
  if (!isServableKey(key)) throw new NotFound();
  // R2 evaluates If-None-Match itself; a failed condition returns the object without a body.
  const object = await c.env.BUCKET.get(key, { onlyIf: c.req.raw.headers });
  if (!object) throw new NotFound();
  const headers = new Headers({
    ETag: object.httpEtag,
    "Cache-Control": "public, max-age=31536000, immutable",
    "Content-Type": object.httpMetadata?.contentType ?? "application/octet-stream",
    "X-Content-Type-Options": "nosniff",
  });
  if (!("body" in object)) return new Response(null, { status: 304, headers });
  headers.set("Content-Length", String(object.size));
  return new Response(object.body, { status: 200, headers });
};
