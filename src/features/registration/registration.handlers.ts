import type { RouteHandler } from "@hono/zod-openapi";
import { clientAddress } from "../../auth/throttling";
import type { AppEnv } from "../../env";
import { depsOf } from "../../lib/deps";
import type { registerRoute } from "./registration.routes";
import { register } from "./registration.service";

export const registerHandler: RouteHandler<typeof registerRoute, AppEnv> = async (c) => {
  await register(depsOf(c), { user: c.req.valid("json"), address: clientAddress(c.req.raw.headers) });
  return c.json({ detail: "User registered successfully." }, 201);
};
