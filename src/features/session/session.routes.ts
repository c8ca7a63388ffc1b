import { Hono } from "hono";
import type { AppEnv } from "../../env";
import { validBody } from "../../http/validation";
import { loginBody } from "./session.schemas";
import { login } from "./session.service";

export const sessionRoutes = new Hono<AppEnv>().post("/login", validBody(loginBody), async (c) => {
  const tokens = await login(c.var.db, c.var.config, c.req.valid("json"), (work) => c.executionCtx.waitUntil(work));
  return c.json(tokens, 200);
});
