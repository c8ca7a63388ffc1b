import { Hono } from "hono";
import { requireBearer } from "../../auth/bearer";
import type { AppEnv } from "../../env";
import { validBody } from "../../http/validation";
import { sessionContext } from "../session/session.context";
import { passwordChangeBody } from "./password.schemas";
import { changeOwnPassword } from "./password.service";

export const passwordRoutes = new Hono<AppEnv>().post("/password/change", requireBearer, validBody(passwordChangeBody), async (c) => {
  await changeOwnPassword(sessionContext(c), c.var.userId, c.req.valid("json"));
  return c.json({ detail: "New password has been saved." }, 200);
});
