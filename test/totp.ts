/** A user with two-factor on, and the calls of a sign-in's second step. */
import { expect } from "vitest";
import { PASSWORD, call, signedInUser } from "./helpers";
import { codeAt, currentStep } from "./totp-code";

export { codeAt, currentStep } from "./totp-code";

/**
 * A signed-in user with two-factor on, confirmed with the code of the step before `step0` (so
 * `step0` and `step0 + 1` are fresh codes for the rest of the test, whichever step it runs into).
 */
export async function userWithMfa() {
  const user = await signedInUser();
  const setup = await call("POST", "/api/auth/2fa/totp/setup/", { token: user.access, body: { current_password: PASSWORD } });
  expect(setup.status, JSON.stringify(setup.body)).toBe(200);
  const step0 = currentStep();
  const confirm = await call("POST", "/api/auth/2fa/totp/confirm/", { token: user.access, body: { code: codeAt(setup.body.secret, step0 - 1) } });
  expect(confirm.status, JSON.stringify(confirm.body)).toBe(200);
  return { ...user, secret: setup.body.secret as string, recoveryCodes: confirm.body.recovery_codes as string[], step0 };
}

/** A password login of a user with two-factor on: the mfa_token it answers. */
export async function mfaToken(username: string): Promise<string> {
  const response = await call("POST", "/api/auth/login/", { body: { username, password: PASSWORD } });
  expect(response.status).toBe(200);
  expect(response.body).toEqual({ mfa_required: true, mfa_token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) });
  return response.body.mfa_token;
}

export const verify = (mfa_token: string, code: string, headers: Record<string, string> = {}, env?: Partial<Cloudflare.Env>) =>
  call("POST", "/api/auth/2fa/verify/", { body: { mfa_token, code }, headers, env });
