import type { RouteHandler } from "@hono/zod-openapi";
import { clientAddress } from "../../auth/throttling";
import type { AppEnv } from "../../env";
import { callerDepsOf, depsOf } from "../../lib/deps";
import type { mfaVerifyRoute, recoveryCodesRoute, totpConfirmRoute, totpDisableRoute, totpSetupRoute } from "./mfa.routes";
import { confirmTotp, disableTotp, replaceRecoveryCodes, setUpTotp, verifySecondFactor } from "./mfa.service";

export const totpSetupHandler: RouteHandler<typeof totpSetupRoute, AppEnv> = async (c) =>
  c.json(await setUpTotp(callerDepsOf(c), { currentPassword: c.req.valid("json").current_password }), 200);

export const totpConfirmHandler: RouteHandler<typeof totpConfirmRoute, AppEnv> = async (c) =>
  c.json({ recovery_codes: await confirmTotp(callerDepsOf(c), { code: c.req.valid("json").code }) }, 200);

export const totpDisableHandler: RouteHandler<typeof totpDisableRoute, AppEnv> = async (c) => {
  const body = c.req.valid("json");
  await disableTotp(callerDepsOf(c), { currentPassword: body.current_password, code: body.code });
  return c.json({ detail: "Two-factor authentication has been disabled." }, 200);
};

export const recoveryCodesHandler: RouteHandler<typeof recoveryCodesRoute, AppEnv> = async (c) =>
  c.json({ recovery_codes: await replaceRecoveryCodes(callerDepsOf(c), { currentPassword: c.req.valid("json").current_password }) }, 200);

export const mfaVerifyHandler: RouteHandler<typeof mfaVerifyRoute, AppEnv> = async (c) => {
  const body = c.req.valid("json");
  const client = { address: clientAddress(c.req.raw.headers), userAgent: c.req.header("User-Agent")?.slice(0, 200) ?? null };
  return c.json(await verifySecondFactor(depsOf(c), { mfaToken: body.mfa_token, code: body.code, client }), 200);
};
