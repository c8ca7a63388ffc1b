import { Hono } from "hono";
import type { AppEnv } from "../../env";
import { validBody } from "../../http/validation";
import { registerBody } from "./registration.schemas";
import { register } from "./registration.service";

export const registrationRoutes = new Hono<AppEnv>().post("/register", validBody(registerBody), async (c) => {
  await register(c.var.db, c.req.valid("json"));
  return c.json({ detail: "User registered successfully." }, 201);
});
