/** The calls of passkey registration and login, with a software authenticator (./authenticator.ts). */
import { isoBase64URL } from "@simplewebauthn/server/helpers";
import { expect } from "vitest";
import { type Algorithm, SoftAuthenticator } from "./authenticator";
import { dbRow, dbRows } from "./db";
import { call, signedInUser } from "./helpers";

export const INVALID = { non_field_errors: ["Invalid passkey."] };
export const TOKEN_PAIR = { refresh: expect.any(String), access: expect.any(String) };
export const ISO = expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);

export const sessions = async (id: number) => (await dbRow<{ n: number }>("select count(*) as n from token_families where user_id = ?", id))!.n;
export const passkeyRows = (id: number) =>
  dbRows<{ id: number; counter: number; last_used_at: number | null }>("select id, counter, last_used_at from passkeys where user_id = ? order by id", id);
export const passkeyCount = async (id: number) => (await dbRow<{ passkey_count: number }>("select passkey_count from users where id = ?", id))!.passkey_count;
/** Whether challenge `challenge` is kept (1) or not (0). */
export const challenges = async (challenge: string) => (await dbRow<{ n: number }>("select count(*) as n from passkey_challenges where challenge = ?", challenge))!.n;

/** The credential id (base64url) of the first passkey `authenticator` made. */
export const idOf = (authenticator: SoftAuthenticator) => isoBase64URL.fromBuffer(authenticator.credentials[0]!.id as Uint8Array<ArrayBuffer>);

/** Everything a refused login must leave as it was: the user's sessions and their passkeys' counters and last use. */
export async function snapshot(id: number) {
  return { sessions: await sessions(id), passkeys: await passkeyRows(id) };
}

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
