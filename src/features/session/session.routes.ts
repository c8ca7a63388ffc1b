import { Hono } from "hono";
import { requireBearer } from "../../auth/bearer";
import { clientAddress } from "../../auth/throttling";
import type { AppEnv } from "../../env";
import { validBody } from "../../http/validation";
import { loginBody, refreshBody, verifyBody } from "./session.schemas";
import { sessionContext } from "./session.context";
import { login, logout, logoutEverywhere, refresh, verify } from "./session.service";

const LOGGED_OUT = { detail: "Successfully logged out." };

export const sessionRoutes = new Hono<AppEnv>()
  .post("/login", validBody(loginBody), async (c) => {
    return c.json(await login(sessionContext(c), c.req.valid("json"), clientAddress(c.req.raw.headers)), 200);
  })
  .post("/token/refresh", validBody(refreshBody), async (c) => {
    return c.json(await refresh(sessionContext(c), c.req.valid("json").refresh), 200);
  })
  .post("/token/verify", validBody(verifyBody), async (c) => {
    await verify(sessionContext(c), c.req.valid("json").token);
    return c.json({}, 200);
  })
  .post("/logout", validBody(refreshBody), async (c) => {
    await logout(sessionContext(c), c.req.valid("json").refresh);
    return c.json(LOGGED_OUT, 200);
  })
  .post("/logout/all", requireBearer, async (c) => {
    await logoutEverywhere(sessionContext(c), c.var.userId);
    return c.json(LOGGED_OUT, 200);
  });
