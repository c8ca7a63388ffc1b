import type { RouteHandler } from "@hono/zod-openapi";
import type { AppEnv } from "../../env";
import { callerDepsOf } from "../../lib/deps";
import { profileOf } from "../users/users.representations";
import { deleteOwnAccount } from "./account-deletion.service";
import type { accountDeleteRoute, profileGetRoute, profilePatchRoute } from "./profile.routes";
import { changeProfile, readProfile } from "./profile.service";

const origin = (url: string) => new URL(url).origin;

export const profileGetHandler: RouteHandler<typeof profileGetRoute, AppEnv> = async (c) => {
  const user = await readProfile(callerDepsOf(c));
  return c.json(profileOf(user, origin(c.req.url)), 200);
};

/** PUT and PATCH share the definition's body and answer; one handler serves both. */
export const profileUpdateHandler: RouteHandler<typeof profilePatchRoute, AppEnv> = async (c) => {
  const user = await changeProfile(callerDepsOf(c), c.req.valid("json"));
  return c.json(profileOf(user, origin(c.req.url)), 200);
};

export const accountDeleteHandler: RouteHandler<typeof accountDeleteRoute, AppEnv> = async (c) => {
  await deleteOwnAccount(callerDepsOf(c), c.req.valid("json"));
  return c.body(null, 204);
};
