import type { RouteHandler } from "@hono/zod-openapi";
import { clientAddress } from "../../auth/throttling";
import type { AppEnv } from "../../env";
import { passkeyOf } from "../../http/representations/passkeys";
import { callerDepsOf, depsOf } from "../../lib/deps";
import type { loginOptionsRoute, loginRoute, passkeyDeleteRoute, passkeyListRoute, registerRoute, registrationOptionsRoute } from "./passkeys.routes";
import { beginLogin, beginRegistration, deletePasskey, listPasskeys, loginWithPasskey, registerPasskey } from "./passkeys.service";

export const registrationOptionsHandler: RouteHandler<typeof registrationOptionsRoute, AppEnv> = async (c) =>
  c.json(await beginRegistration(callerDepsOf(c)), 200);

export const registerHandler: RouteHandler<typeof registerRoute, AppEnv> = async (c) => {
  const body = c.req.valid("json");
  return c.json(passkeyOf(await registerPasskey(callerDepsOf(c), { credential: body.credential, name: body.name })), 201);
};

export const loginOptionsHandler: RouteHandler<typeof loginOptionsRoute, AppEnv> = async (c) => c.json(await beginLogin(depsOf(c)), 200);

export const loginHandler: RouteHandler<typeof loginRoute, AppEnv> = async (c) => {
  const client = { address: clientAddress(c.req.raw.headers), userAgent: c.req.header("User-Agent")?.slice(0, 200) ?? null };
  return c.json(await loginWithPasskey(depsOf(c), { credential: c.req.valid("json").credential, client }), 200);
};

export const passkeyListHandler: RouteHandler<typeof passkeyListRoute, AppEnv> = async (c) =>
  c.json({ results: (await listPasskeys(callerDepsOf(c))).map(passkeyOf) }, 200);

export const passkeyDeleteHandler: RouteHandler<typeof passkeyDeleteRoute, AppEnv> = async (c) => {
  await deletePasskey(callerDepsOf(c), { id: c.req.valid("param").id });
  return c.body(null, 204);
};
