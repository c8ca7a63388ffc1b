import type { RouteHandler } from "@hono/zod-openapi";
import type { AppEnv } from "../../env";
import { callerDepsOf } from "../../lib/deps";
import type { passwordChangeRoute } from "./password.routes";
import { changeOwnPassword } from "./password.service";

export const passwordChangeHandler: RouteHandler<typeof passwordChangeRoute, AppEnv> = async (c) => {
  await changeOwnPassword(callerDepsOf(c), c.req.valid("json"));
  return c.json({ detail: "New password has been saved." }, 200);
};
