import type { RouteHandler } from "@hono/zod-openapi";
import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import type { SignInClient } from "../../auth/sign-in";
import { clientAddress } from "../../auth/throttling";
import type { AppEnv } from "../../env";
import { callerDepsOf, depsOf } from "../../lib/deps";
import { connectAccount, listAccounts, unlinkAccount } from "./social-accounts.service";
import type {
  callbackPostRoute,
  callbackRoute,
  connectRoute,
  exchangeRoute,
  loginRoute,
  nativeLoginRoute,
  socialAccountsRoute,
  unlinkRoute,
} from "./social-login.routes";
import { beginBrowserLogin, exchangeCode, finishBrowserLogin, nativeLogin } from "./social-login.service";

/** The browser login's sealed state; only the social routes ever see it. */
const STATE_COOKIE = "social_login";
const COOKIE_PATH = "/api/auth/social/";

const signInClient = (c: Context<AppEnv>): SignInClient => ({
  address: clientAddress(c.req.raw.headers),
  // Shown back to the user in their sessions list; bounded so a header cannot fill the row.
  userAgent: c.req.header("User-Agent")?.slice(0, 200) ?? null,
});

export const loginHandler: RouteHandler<typeof loginRoute, AppEnv> = async (c) => {
  const { location, sealedState, maxAge } = await beginBrowserLogin(depsOf(c), { provider: c.req.valid("param").provider, next: c.req.valid("query").next });
  setCookie(c, STATE_COOKIE, sealedState, { path: COOKIE_PATH, httpOnly: true, secure: true, sameSite: "Lax", maxAge });
  return c.redirect(location, 302);
};

export const callbackHandler: RouteHandler<typeof callbackRoute, AppEnv> = async (c) => {
  const sealedState = getCookie(c, STATE_COOKIE);
  // Whatever the outcome the state is spent: a second callback with it finds nothing.
  deleteCookie(c, STATE_COOKIE, { path: COOKIE_PATH, httpOnly: true, secure: true, sameSite: "Lax" });
  const location = await finishBrowserLogin(depsOf(c), { provider: c.req.valid("param").provider, sealedState, returned: c.req.valid("query") });
  return c.redirect(location, 302);
};

/**
 * A cross-site POST carries no SameSite=Lax cookie, but the top-level GET it is redirected to does:
 * the callback proper runs there. (The provider's code then passes through a URL of ours; the
 * request log never records query strings.)
 */
export const callbackPostHandler: RouteHandler<typeof callbackPostRoute, AppEnv> = async (c) => {
  const { provider } = c.req.valid("param");
  const { code, state, error } = c.req.valid("json");
  const query = new URLSearchParams(Object.entries({ code, state, error }).filter((entry): entry is [string, string] => entry[1] !== undefined));
  return c.redirect(`${c.get("config").publicUrl}/api/auth/social/${provider}/callback/?${query}`, 303);
};

export const exchangeHandler: RouteHandler<typeof exchangeRoute, AppEnv> = async (c) =>
  c.json(await exchangeCode(depsOf(c), { code: c.req.valid("json").code, client: signInClient(c) }), 200);

export const nativeLoginHandler: RouteHandler<typeof nativeLoginRoute, AppEnv> = async (c) =>
  c.json(await nativeLogin(depsOf(c), { provider: c.req.valid("param").provider, body: c.req.valid("json"), client: signInClient(c) }), 200);

export const connectHandler: RouteHandler<typeof connectRoute, AppEnv> = async (c) =>
  c.json(await connectAccount(callerDepsOf(c), { provider: c.req.valid("param").provider, body: c.req.valid("json") }), 200);

export const socialAccountsHandler: RouteHandler<typeof socialAccountsRoute, AppEnv> = async (c) => c.json({ results: await listAccounts(callerDepsOf(c)) }, 200);

export const unlinkHandler: RouteHandler<typeof unlinkRoute, AppEnv> = async (c) => {
  await unlinkAccount(callerDepsOf(c), { id: c.req.valid("param").id });
  return c.body(null, 204);
};
