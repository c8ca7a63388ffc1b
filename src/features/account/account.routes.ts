import { createRoute, z } from "@hono/zod-openapi";
import { everyRoute } from "../../http/openapi";

export const resetPageRoute = createRoute({
  method: "get", path: "/account/reset/{uid}/{token}", tags: ["auth"],
  summary: "The password-reset page a reset link opens (works offline, posts to the confirm route)",
  request: { params: z.object({ uid: z.string().max(64), token: z.string().max(64) }) },
  responses: { 200: { description: "An HTML page.", content: { "text/html": { schema: z.string() } } }, ...everyRoute },
});

export const verifyPageRoute = createRoute({
  method: "get", path: "/account/verify-email/{key}", tags: ["auth"],
  summary: "The email-verification page a verification link opens (posts the key to verify-email)",
  request: { params: z.object({ key: z.string().max(128) }) },
  responses: { 200: { description: "An HTML page.", content: { "text/html": { schema: z.string() } } }, ...everyRoute },
});
