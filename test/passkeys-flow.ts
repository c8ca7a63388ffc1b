/** The calls of passkey registration and login, with a software authenticator (./authenticator.ts). */
import { expect } from "vitest";
import { type Algorithm, SoftAuthenticator } from "./authenticator";
import { call, signedInUser } from "./helpers";

export const registrationOptions = (token: string) => call("POST", "/api/auth/passkeys/register/options/", { token });
export const register = (token: string, credential: unknown, name: unknown = "Laptop") => call("POST", "/api/auth/passkeys/register/", { token, body: { credential, name } });
export const loginOptions = () => call("POST", "/api/auth/passkeys/login/options/");
export const loginWith = (credential: unknown, headers: Record<string, string> = {}) => call("POST", "/api/auth/passkeys/login/", { body: { credential }, headers });

/** Registers a passkey of `authenticator` for the user signed in with `token`; the passkey's representation. */
export async function addPasskey(token: string, authenticator: SoftAuthenticator, name = "Laptop") {
  const options = await registrationOptions(token);
  expect(options.status, JSON.stringify(options.body)).toBe(200);
  const response = await register(token, await authenticator.create(options.body), name);
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body as { id: number; name: string; created: string; last_used: string | null };
}

/** A signed-in user with one passkey on a new software authenticator. */
export async function userWithPasskey(options: { algorithm?: Algorithm; counter?: boolean } = {}) {
  const user = await signedInUser();
  const authenticator = new SoftAuthenticator(undefined, options);
  const passkey = await addPasskey(user.access, authenticator);
  return { ...user, authenticator, passkey };
}

/** A login assertion of `authenticator` for fresh login options. */
export async function assertion(authenticator: SoftAuthenticator, variation: Parameters<SoftAuthenticator["get"]>[1] = {}) {
  const options = await loginOptions();
  expect(options.status, JSON.stringify(options.body)).toBe(200);
  return authenticator.get(options.body, variation);
}
