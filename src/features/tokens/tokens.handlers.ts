import type { RouteHandler } from "@hono/zod-openapi";
import type { Context } from "hono";
import { clientAddress } from "../../auth/throttling";
import { turnstileAnswer } from "../../http/turnstile-answer";
import type { AppEnv } from "../../env";
import { callerDepsOf, depsOf } from "../../lib/deps";
import type { loginRoute, logoutAllRoute, logoutRoute, refreshRoute, verifyRoute } from "./tokens.routes";
import { login, logout, logoutEverywhere, refresh, verify } from "./tokens.service";

const LOGGED_OUT = { detail: "Successfully logged out." };

export const loginHandler: RouteHandler<typeof loginRoute, AppEnv> = async (c) => {
  const credentials = c.req.valid("json");
  const answer = await login(depsOf(c), {
    credentials,
    turnstile: turnstileAnswer(c, credentials),
    address: clientAddress(c.req.raw.headers),
    // Shown back to the user in their sessions list; bounded so a header cannot fill the row.
    userAgent: c.req.header("User-Agent")?.slice(0, 200) ?? null,
  });
  return c.json(answer, 200);
};

/** Who presents a refresh token: the reuse grace holds only for the client that rotated it. */
const refreshClient = (c: Context<AppEnv>) => ({ userAgent: c.req.header("User-Agent") ?? null, address: clientAddress(c.req.raw.headers) });

export const refreshHandler: RouteHandler<typeof refreshRoute, AppEnv> = async (c) =>
  c.json(await refresh(depsOf(c), { token: c.req.valid("json").refresh, client: refreshClient(c) }), 200);

export const verifyHandler: RouteHandler<typeof verifyRoute, AppEnv> = async (c) => {
  await verify(depsOf(c), { token: c.req.valid("json").token, client: refreshClient(c) });
  return c.json({}, 200);
};

export const logoutHandler: RouteHandler<typeof logoutRoute, AppEnv> = async (c) => {
  await logout(depsOf(c), { token: c.req.valid("json").refresh });
  return c.json(LOGGED_OUT, 200);
};

export const logoutAllHandler: RouteHandler<typeof logoutAllRoute, AppEnv> = async (c) => {
  await logoutEverywhere(callerDepsOf(c));
  return c.json(LOGGED_OUT, 200);
};
