import { Hono } from "hono";
import { clientAddress, registerRules } from "../../auth/throttling";
import type { AppEnv } from "../../env";
import { validBody } from "../../http/validation";
import { registerBody } from "./registration.schemas";
import { register } from "./registration.service";

export const registrationRoutes = new Hono<AppEnv>().post("/register", validBody(registerBody), async (c) => {
  const rules = registerRules(c.var.config, clientAddress(c.req.raw.headers));
  await register(c.var.db, c.req.valid("json"), rules);
  return c.json({ detail: "User registered successfully." }, 201);
});
