/**
 * Every route of the contract as an OpenAPI operation, built from the same zod schemas that
 * validate the requests and type the responses.
 */
import type { z } from "zod";
import { profileBody } from "../profile/profile.schemas";
import { passwordChangeBody } from "../password/password.schemas";
import { registerBody } from "../registration/registration.schemas";
import { loginBody, refreshBody, verifyBody } from "../session/session.schemas";
import { adminUserPageSchema, profileSchema, publicUserPageSchema, publicUserSchema } from "../users/users.schemas";
import { authErrorSchema, detailSchema, emptySchema, fieldErrorsSchema, healthSchema, tokenPairSchema } from "./common.schemas";

export interface Response {
  description: string;
  schema?: z.ZodType;
  /** Non-JSON bodies (pictures, the docs page). */
  mediaType?: string;
}

export interface Operation {
  method: "get" | "post" | "put" | "patch";
  path: string;
  summary: string;
  tag: string;
  bearer?: boolean;
  body?: { schema: z.ZodType; name: string; multipart?: boolean };
  parameters?: { name: string; in: "path" | "query" | "header"; description: string; schema: Record<string, unknown>; required?: boolean }[];
  responses: Record<number, Response>;
}

const ok = (description: string, schema: z.ZodType): Response => ({ description, schema });
const invalid: Response = { description: "Validation errors, in DRF's shape.", schema: fieldErrorsSchema };
const unauthenticated: Response = { description: "Missing, malformed or refused credentials.", schema: authErrorSchema };
const notFound: Response = { description: "No such object.", schema: detailSchema };
const throttled: Response = { description: "Throttled; see Retry-After.", schema: detailSchema };
const tooLarge: Response = { description: "Body over the limit.", schema: detailSchema };
const badToken: Response = { description: "Token invalid, expired, of the wrong type or blacklisted.", schema: authErrorSchema };

const id = { name: "id", in: "path" as const, required: true, description: "A user id.", schema: { type: "integer", minimum: 1 } };
const pageSize = { name: "page_size", in: "query" as const, description: "Items per page (default 20, at most 100).", schema: { type: "integer", minimum: 1, maximum: 100 } };
const cursor = { name: "cursor", in: "query" as const, description: "Opaque cursor from a next/previous link.", schema: { type: "string" } };

export const operations: Operation[] = [
  {
    method: "post", path: "/api/auth/register/", summary: "Register a user", tag: "auth",
    body: { schema: registerBody, name: "RegisterRequest" },
    responses: { 201: ok("Registered.", detailSchema), 400: invalid, 413: tooLarge, 429: throttled },
  },
  {
    method: "post", path: "/api/auth/login/", summary: "Log in: a refresh and an access token", tag: "auth",
    body: { schema: loginBody, name: "LoginRequest" },
    responses: { 200: ok("A new token pair.", tokenPairSchema), 400: invalid, 401: unauthenticated, 429: throttled },
  },
  {
    method: "post", path: "/api/auth/token/refresh/", summary: "Rotate a refresh token", tag: "auth",
    body: { schema: refreshBody, name: "RefreshRequest" },
    responses: { 200: ok("A new access and refresh token; the old refresh token is revoked.", tokenPairSchema), 400: invalid, 401: badToken },
  },
  {
    method: "post", path: "/api/auth/token/verify/", summary: "Verify a token of either type", tag: "auth",
    body: { schema: verifyBody, name: "VerifyRequest" },
    responses: { 200: ok("The token is valid.", emptySchema), 400: invalid, 401: badToken },
  },
  {
    method: "post", path: "/api/auth/logout/", summary: "Revoke a refresh token (and its family)", tag: "auth",
    body: { schema: refreshBody, name: "LogoutRequest" },
    responses: { 200: ok("Logged out.", detailSchema), 400: invalid, 401: badToken },
  },
  {
    method: "post", path: "/api/auth/logout/all/", summary: "Revoke every refresh token of the caller", tag: "auth", bearer: true,
    responses: { 200: ok("Logged out everywhere.", detailSchema), 401: unauthenticated },
  },
  {
    method: "post", path: "/api/auth/password/change/", summary: "Change the caller's password", tag: "auth", bearer: true,
    body: { schema: passwordChangeBody, name: "PasswordChangeRequest" },
    responses: { 200: ok("Saved; every refresh token of the user is revoked.", detailSchema), 400: invalid, 401: unauthenticated },
  },
  {
    method: "get", path: "/api/auth/profile/", summary: "The caller's profile", tag: "profile", bearer: true,
    responses: { 200: ok("The profile.", profileSchema), 401: unauthenticated },
  },
  ...(["put", "patch"] as const).map(
    (method): Operation => ({
      method, path: "/api/auth/profile/", summary: `Update the caller's profile (${method.toUpperCase()}: absent fields stay unchanged)`, tag: "profile", bearer: true,
      body: { schema: profileBody, name: "ProfileUpdateRequest", multipart: true },
      responses: { 200: ok("The updated profile.", profileSchema), 400: invalid, 401: unauthenticated, 413: tooLarge },
    }),
  ),
  ...(["follow", "unfollow"] as const).map(
    (action): Operation => ({
      method: "post", path: `/api/auth/${action}/{id}/`, summary: `${action === "follow" ? "Follow" : "Unfollow"} a user (idempotent)`, tag: "follows", bearer: true,
      parameters: [id],
      responses: { 200: ok("Done.", detailSchema), 400: { description: "Following yourself.", schema: detailSchema }, 401: unauthenticated, 404: notFound },
    }),
  ),
  {
    method: "get", path: "/api/users/", summary: "All users (staff only), page-number paginated", tag: "users", bearer: true,
    parameters: [
      { name: "page", in: "query", description: "Page number, or `last`.", schema: { type: "string" } },
      pageSize,
      { name: "search", in: "query", description: "Username or email contains (case-insensitive).", schema: { type: "string", maxLength: 254 } },
    ],
    responses: { 200: ok("A page of users.", adminUserPageSchema), 401: unauthenticated, 403: { description: "Not staff.", schema: detailSchema }, 404: { description: "Invalid page.", schema: detailSchema } },
  },
  {
    method: "get", path: "/api/users/{id}/", summary: "One user", tag: "users", bearer: true,
    parameters: [id],
    responses: { 200: ok("The user.", publicUserSchema), 401: unauthenticated, 404: notFound },
  },
  ...(["followers", "following"] as const).map(
    (list): Operation => ({
      method: "get", path: `/api/users/{id}/${list}/`, summary: `${list === "followers" ? "Who follows the user" : "Whom the user follows"}, newest first`, tag: "follows", bearer: true,
      parameters: [id, cursor, pageSize],
      responses: { 200: ok("A page of users.", publicUserPageSchema), 401: unauthenticated, 404: notFound },
    }),
  ),
  {
    method: "get", path: "/media/{key}", summary: "A profile picture", tag: "media",
    parameters: [{ name: "key", in: "path", required: true, description: "The object key, e.g. profile_pics/<hex>.png.", schema: { type: "string" } }],
    responses: { 200: { description: "The picture's bytes.", mediaType: "image/*" }, 304: { description: "Not modified (If-None-Match)." }, 404: notFound },
  },
  {
    method: "get", path: "/api/schema/", summary: "This OpenAPI document", tag: "docs",
    responses: { 200: { description: "OpenAPI 3.1 document.", mediaType: "application/json" } },
  },
  {
    method: "get", path: "/api/docs/", summary: "Interactive API reference", tag: "docs",
    responses: { 200: { description: "HTML page.", mediaType: "text/html" } },
  },
  {
    method: "get", path: "/healthz", summary: "Health check (runs a trivial D1 query)", tag: "docs",
    responses: { 200: ok("Healthy.", healthSchema) },
  },
];
