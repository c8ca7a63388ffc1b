import type { RouteHandler } from "@hono/zod-openapi";
import type { AppEnv } from "../../env";
import type { jwksRoute } from "./jwks.routes";

export const jwksHandler: RouteHandler<typeof jwksRoute, AppEnv> = (c) => {
  // Verifiers cache the set; five minutes bounds how long a newly added key can go unseen.
  c.header("Cache-Control", "public, max-age=300");
  return c.json({ keys: c.get("config").jwt.published }, 200);
};
