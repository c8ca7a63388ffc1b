import type { RouteHandler } from "@hono/zod-openapi";
import { clientAddress } from "../../auth/throttling";
import type { AppEnv } from "../../env";
import { callerDepsOf } from "../../lib/deps";
import { profileOf } from "../../http/representations/users";
import { deleteOwnAccount } from "./account-deletion.service";
import { exportAccount } from "./export.service";
import type { accountDeleteRoute, accountExportRoute, profileGetRoute, profilePatchRoute } from "./profile.routes";
import { changeProfile, readProfile } from "./profile.service";

const origin = (url: string) => new URL(url).origin;

export const profileGetHandler: RouteHandler<typeof profileGetRoute, AppEnv> = async (c) => {
  const user = await readProfile(callerDepsOf(c));
  return c.json(profileOf(user, origin(c.req.url)), 200);
};

/** PUT and PATCH share the definition's body and answer; one handler serves both. */
export const profileUpdateHandler: RouteHandler<typeof profilePatchRoute, AppEnv> = async (c) => {
  const user = await changeProfile(callerDepsOf(c), c.req.valid("json"), { address: clientAddress(c.req.raw.headers) });
  return c.json(profileOf(user, origin(c.req.url)), 200);
};

export const accountDeleteHandler: RouteHandler<typeof accountDeleteRoute, AppEnv> = async (c) => {
  await deleteOwnAccount(callerDepsOf(c), c.req.valid("json"));
  return c.body(null, 204);
};

export const accountExportHandler: RouteHandler<typeof accountExportRoute, AppEnv> = async (c) => {
  const { username, body } = await exportAccount(callerDepsOf(c), { origin: origin(c.req.url) });
  // Usernames are letters, digits and @.+-_ (the validator's); anything else (an old import) becomes _.
  c.header("Content-Disposition", `attachment; filename="${username.replace(/[^\p{L}\p{N}@.+_-]/gu, "_")}-export.json"`);
  c.header("Content-Type", "application/json");
  return c.body(body, 200) as never;
};
