import { Hono } from "hono";
import { requireBearer } from "../../auth/bearer";
import type { AppEnv } from "../../env";
import { validBody } from "../../http/validation";
import { MAX_PICTURE_BODY_BYTES } from "../media/picture-field";
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
  .on(["PUT", "PATCH"], "/profile", validBody(profileBody, { multipartMaxBytes: MAX_PICTURE_BODY_BYTES }), async (c) => {
    const user = await changeProfile({ db: c.var.db, bucket: c.env.BUCKET }, c.var.userId, c.req.valid("json"));
    return c.json(profileOf(user, origin(c.req.url)), 200);
  });
