import type { RouteHandler } from "@hono/zod-openapi";
import type { AppEnv } from "../../env";
import { callerDepsOf } from "../../lib/deps";
import { clientAddress } from "../../auth/throttling";
import { turnstileAnswer } from "../../http/turnstile-answer";
import { depsOf } from "../../lib/deps";
import { confirmPasswordReset, requestPasswordReset } from "./password-reset.service";
import type { passwordChangeRoute, passwordResetConfirmRoute, passwordResetRoute } from "./password.routes";
import { changeOwnPassword } from "./password.service";

export const passwordChangeHandler: RouteHandler<typeof passwordChangeRoute, AppEnv> = async (c) => {
  await changeOwnPassword(callerDepsOf(c), c.req.valid("json"));
  return c.json({ detail: "New password has been saved." }, 200);
};

export const passwordResetHandler: RouteHandler<typeof passwordResetRoute, AppEnv> = async (c) => {
  const body = c.req.valid("json");
  await requestPasswordReset(depsOf(c), { email: body.email, address: clientAddress(c.req.raw.headers), turnstile: turnstileAnswer(c, body) });
  return c.json({ detail: "Password reset e-mail has been sent." }, 200);
};

export const passwordResetConfirmHandler: RouteHandler<typeof passwordResetConfirmRoute, AppEnv> = async (c) => {
  await confirmPasswordReset(depsOf(c), c.req.valid("json"));
  return c.json({ detail: "Password has been reset with the new password." }, 200);
};
