import { Hono } from "hono";
import { requireBearer } from "../../auth/bearer";
import type { AppEnv } from "../../env";
import { validBody } from "../../http/validation";
import { profileOf } from "../users/users.representations";
import { profileBody } from "./profile.schemas";
import { changeProfile, readProfile } from "./profile.service";

const origin = (url: string) => new URL(url).origin;

export const profileRoutes = new Hono<AppEnv>()
  .use("/profile", requireBearer)
  .get("/profile", async (c) => {
    const user = await readProfile(c.var.db, c.var.userId);
    return c.json(profileOf(user, origin(c.req.url)), 200);
  })
  .on(["PUT", "PATCH"], "/profile", validBody(profileBody), async (c) => {
    const user = await changeProfile(c.var.db, c.var.userId, c.req.valid("json"));
    return c.json(profileOf(user, origin(c.req.url)), 200);
  });
