import type { RouteHandler } from "@hono/zod-openapi";
import { clientAddress } from "../../auth/throttling";
import { turnstileAnswer } from "../../http/turnstile-answer";
import type { AppEnv } from "../../env";
import { depsOf } from "../../lib/deps";
import { resendVerification, verifyEmail } from "./email-verification.service";
import type { registerRoute, resendEmailRoute, verifyEmailRoute } from "./registration.routes";
import { register } from "./registration.service";

export const registerHandler: RouteHandler<typeof registerRoute, AppEnv> = async (c) => {
  const body = c.req.valid("json");
  await register(depsOf(c), { user: body, address: clientAddress(c.req.raw.headers), turnstile: turnstileAnswer(c, body) });
  return c.json({ detail: "User registered successfully." }, 201);
};

export const verifyEmailHandler: RouteHandler<typeof verifyEmailRoute, AppEnv> = async (c) => {
  await verifyEmail(depsOf(c), { key: c.req.valid("json").key, address: clientAddress(c.req.raw.headers) });
  return c.json({ detail: "ok" }, 200);
};

export const resendEmailHandler: RouteHandler<typeof resendEmailRoute, AppEnv> = async (c) => {
  const body = c.req.valid("json");
  await resendVerification(depsOf(c), { email: body.email, address: clientAddress(c.req.raw.headers), turnstile: turnstileAnswer(c, body) });
  return c.json({ detail: "ok" }, 200);
};
