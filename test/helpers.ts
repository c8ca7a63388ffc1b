/** Shared test factories: requests go through the Worker's fetch, as a client's would. */
import { env, exports } from "cloudflare:workers";
import { expect } from "vitest";
import { checkResponse } from "./openapi-check";
import { dbRow, dbRun } from "./db";

export const ORIGIN = "http://api.test";

export interface Sent {
  status: number;
  headers: Headers;
  body: any;
}

type Body = Record<string, unknown> | FormData | URLSearchParams | string;

interface CallOptions {
  body?: Body;
  token?: string;
  headers?: Record<string, string>;
  /** Variables changed for this request (lifetimes, keys, limits), as a redeploy with new settings would. */
  env?: Partial<Cloudflare.Env>;
  /** The origin the request is made to (`ORIGIN` unless given). */
  origin?: string;
}

function buildRequest(method: string, path: string, options: CallOptions): Request {
  const headers = new Headers(options.headers);
  if (options.token) headers.set("Authorization", `Bearer ${options.token}`);
  let body: BodyInit | undefined;
  if (options.body instanceof FormData || options.body instanceof URLSearchParams || typeof options.body === "string") {
    body = options.body;
  } else if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    if (!headers.has("Content-Type")) headers.set("Content-Type", "application/json");
  }
  // "manual": a redirect (social login's) is the Worker's answer to check, not something to follow
  // (followed through the Worker's own entry point, it would land on the Worker again).
  return new Request(`${options.origin ?? ORIGIN}${path}`, { method, headers, body, redirect: "manual" });
}

/** With `env`, the app runs with those variables changed, and its deferred work is awaited. */
async function send(request: Request, overrides: Partial<Cloudflare.Env> | undefined): Promise<Response> {
  if (!overrides) return exports.default.fetch(request);
  const { app } = await import("../src/app");
  const { createExecutionContext, waitOnExecutionContext } = await import("cloudflare:test");
  const ctx = createExecutionContext();
  const response = await app.fetch(request, { ...env, ...overrides }, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

/** A request through the Worker's fetch, as a client would send it; JSON answers are parsed. */
export async function call(method: string, path: string, options: CallOptions = {}): Promise<Sent> {
  const request = buildRequest(method, path, options);
  const response = await send(request, options.env);
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text === "" ? undefined : JSON.parse(text);
  } catch {
    // Not JSON: left as text so the assertion shows it.
  }
  const sent = { status: response.status, headers: response.headers, body: parsed };
  await checkResponse(method, request.url, sent);
  return sent;
}

let sequence = 0;
/** A username unique within the test file (storage is shared by the tests of one file). */
export function uniqueName(prefix = "user"): string {
  sequence += 1;
  return `${prefix}${sequence}${Math.random().toString(36).slice(2, 7)}`;
}

export const PASSWORD = "correct-horse-battery-42";

export async function registerUser(username = uniqueName(), password = PASSWORD) {
  const response = await call("POST", "/api/auth/register/", {
    body: { username, email: `${username}@example.com`, password, password2: password },
  });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return { username, email: `${username}@example.com`, password };
}

export async function login(username: string, password = PASSWORD) {
  const response = await call("POST", "/api/auth/login/", { body: { username, password } });
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return response.body as { access: string; refresh: string };
}

/** Registers a user and logs in; returns the id too (read from the profile). */
export async function signedInUser(username = uniqueName()) {
  const user = await registerUser(username);
  const tokens = await login(username);
  const profile = await call("GET", "/api/auth/profile/", { token: tokens.access });
  return { ...user, ...tokens, id: profile.body.id as number };
}

/** Inserts a user row directly (for hashes and flags the API cannot create). Returns its id. */
export async function insertUserRow(fields: { username: string; password: string; isActive?: boolean; isStaff?: boolean; email?: string }) {
  const row = await dbRow<{ id: number }>(
    "insert into users (username, email, password, is_active, is_staff, date_joined) values (?, ?, ?, ?, ?, ?) returning id", fields.username, fields.email ?? `${fields.username}@example.com`, fields.password, fields.isActive !== false, fields.isStaff === true, new Date());
  return row!.id;
}

export async function setFlags(id: number, flags: { isActive?: boolean; isStaff?: boolean }) {
  if (flags.isActive !== undefined) await dbRun("update users set is_active = ? where id = ?", flags.isActive, id);
  if (flags.isStaff !== undefined) await dbRun("update users set is_staff = ? where id = ?", flags.isStaff, id);
}

/** Decodes a JWT's header and payload without checking it. */
export function decodeJwt(token: string) {
  const [header, payload] = token.split(".").slice(0, 2).map((part) => JSON.parse(atob(part.replaceAll("-", "+").replaceAll("_", "/"))));
  return { header, payload };
}

/** `call` with some variables changed (the positional form the key, lifetime and throttling tests use). */
export function callWithEnv(
  overrides: Partial<Cloudflare.Env>,
  method: string,
  path: string,
  body?: Record<string, unknown>,
  token?: string,
  headers: Record<string, string> = {},
): Promise<Sent> {
  return call(method, path, { body, token, headers, env: overrides });
}

/** The profile of a user who has just registered and changed nothing. */
export function newProfile(user: { id: number; username: string; email: string }) {
  return {
    id: user.id,
    username: user.username,
    email: user.email,
    first_name: "",
    last_name: "",
    bio: null,
    profile_picture: null,
    followers_count: 0,
    following_count: 0,
    date_joined: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
    email_verified: false,
    pending_email: null,
    mfa_enabled: false,
  };
}

/** Refresh, verify and logout calls. */
export const refreshWith = (refresh: string) => call("POST", "/api/auth/token/refresh/", { body: { refresh } });
export const verifyWith = (token: string) => call("POST", "/api/auth/token/verify/", { body: { token } });
export const logoutWith = (refresh: string) => call("POST", "/api/auth/logout/", { body: { refresh } });

export const BLACKLISTED = { detail: "Token is blacklisted", code: "token_not_valid" };
export const INVALID_OR_EXPIRED = { detail: "Token is invalid or expired", code: "token_not_valid" };
export const WRONG_TYPE = { detail: "Token has wrong type", code: "token_not_valid" };

/** Polls `read` until `accept` holds (work deferred with waitUntil lands just after the response). */
export async function eventually<T>(read: () => Promise<T>, accept: (value: T) => boolean, timeoutMs = 3000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (accept(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Waits until user `id`'s login has set last_login (a login writes it after its response). */
export async function lastLoginLanded(id: number): Promise<void> {
  const row = await eventually(() => dbRow<{ last_login: number | null }>("select last_login from users where id = ?", id), (found) => found?.last_login != null);
  expect(row?.last_login, `user ${id}'s last_login`).not.toBeNull();
}
