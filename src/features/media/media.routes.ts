import { createRoute, z } from "@hono/zod-openapi";
import { errorResponses, everyRoute } from "../../http/openapi";

const header = (description: string) => ({ schema: { type: "string" as const }, required: true, description });

export const mediaRoute = createRoute({
  // `{key{.+}}`: the key contains slashes, so Hono needs a pattern; the document shows `{key}`.
  method: "get", path: "/media/{key{.+}}", tags: ["media"], summary: "A profile picture",
  request: {
    params: z.object({
      key: z.string().meta({ description: "The object key, e.g. profile_pics/<hex>.png (it contains a slash)." }),
    }),
  },
  responses: {
    200: {
      description: "The picture's bytes.",
      headers: { ETag: header("The object's entity tag."), "Cache-Control": header("public, max-age=31536000, immutable") },
      content: { "image/*": { schema: z.string().meta({ format: "binary" }) } },
    },
    304: { description: "Not modified (If-None-Match).", headers: { ETag: header("The object's entity tag.") } },
    404: errorResponses.notFound,
    ...everyRoute,
  },
});
