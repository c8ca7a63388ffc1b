/**
 * The pieces every route definition is built from: DRF's error bodies as schemas, the responses
 * that carry them (with their headers), and request bodies in DRF's three media types. A route's
 * `createRoute` object spreads these, so its OpenAPI operation lists every answer it can give.
 */
import { z } from "@hono/zod-openapi";

export const detailSchema = z.object({ detail: z.string() }).meta({ id: "Detail" });

export const fieldErrorsSchema = z
  .record(z.string(), z.array(z.string()))
  .meta({ id: "FieldErrors", description: 'DRF validation errors: {"field": ["message", ...], "non_field_errors": [...]}' });

export const authErrorSchema = z
  .object({
    detail: z.string(),
    code: z.string().optional(),
    messages: z.array(z.object({ token_class: z.string(), token_type: z.string(), message: z.string() })).optional(),
  })
  .meta({ id: "AuthError" });

const json = <T extends z.ZodType>(schema: T) => ({ "application/json": { schema } });

const header = (description: string, required = true) => ({ schema: { type: "string" as const }, required, description });

/** Sent back by every answer that used D1 (read replication: see src/db/replica-session.ts). */
const bookmark = { "x-d1-bookmark": header("The D1 session bookmark; send it back to read at least this far.", false) };

/** A JSON answer of `schema`. */
export function jsonResponse<T extends z.ZodType>(schema: T, description: string, headers: Record<string, ReturnType<typeof header>> = {}) {
  return { description, headers: { ...bookmark, ...headers }, content: json(schema) };
}

const detail = (description: string, headers: Record<string, ReturnType<typeof header>> = {}) => jsonResponse(detailSchema, description, headers);

/** Each error answer, as a response object. */
export const errorResponses = {
  /** Field errors, or `{"detail"}` for a body that does not parse. */
  badRequest: jsonResponse(z.union([fieldErrorsSchema, detailSchema]), "Validation errors in DRF's shape, or a parse error."),
  /** A client mistake reported as `{"detail"}` only (following yourself). */
  badRequestDetail: detail("The request cannot be done."),
  unauthorized: jsonResponse(authErrorSchema, "Missing, malformed or refused credentials.", {
    "WWW-Authenticate": header('Bearer realm="api"'),
  }),
  forbidden: detail("The caller may not do this."),
  notFound: detail("No such object, or a page or cursor that does not exist."),
  methodNotAllowed: detail("This path does not take that method.", { Allow: header("The methods this path takes.") }),
  tooLarge: detail("The body is over the limit."),
  unsupportedMediaType: detail("The body's content type is not JSON, form-urlencoded or multipart."),
  throttled: detail("Throttled.", { "Retry-After": header("Seconds until a request may succeed.") }),
  serverError: detail('A fault of the server (logged): always {"detail": "A server error occurred."}.'),
} as const;

/** Any route: a wrong method on its path, or a fault of ours. */
export const everyRoute = { 405: errorResponses.methodNotAllowed, 500: errorResponses.serverError } as const;

/** Routes that take a body: it may not parse, be too large or of another type. */
export const withBody = { 400: errorResponses.badRequest, 413: errorResponses.tooLarge, 415: errorResponses.unsupportedMediaType } as const;

/** Routes that need `Authorization: Bearer <access token>`. */
export const withBearer = { 401: errorResponses.unauthorized } as const;

/** Marks a route as needing a Bearer access token: the router then authenticates it (src/lib/router.ts). */
export const bearerSecurity = [{ bearer: [] }];

/**
 * A route anyone may call, that answers a signed-in caller as that caller (OpenAPI's `{}`
 * alternative: no credentials): with an `Authorization: Bearer` header the token is checked
 * (a bad one is the bad-token 401), without one the request is anonymous.
 */
export const optionalBearerSecurity: Record<string, string[]>[] = [{ bearer: [] }, {}];

export interface BodyLimits {
  /** Every body; default 1 MiB. */
  maxBytes: number;
  /** Multipart bodies, on routes that take files. */
  multipartMaxBytes?: number;
}

/** The default body limit of every write route. */
export const MAX_BODY_BYTES = 1024 * 1024;

const limitsOfBody = new WeakMap<object, BodyLimits>();

/**
 * A request body in DRF's three media types, all validated by `schema` (src/http/body.ts parses
 * them into one object). `multipartMaxBytes` raises the limit of multipart bodies (file uploads).
 */
export function requestBody<T extends z.ZodType>(schema: T, options: { multipartMaxBytes?: number; description?: string } = {}) {
  const body = {
    required: true,
    description: options.description,
    content: {
      "application/json": { schema },
      "application/x-www-form-urlencoded": { schema },
      "multipart/form-data": { schema },
    },
  };
  limitsOfBody.set(body, { maxBytes: MAX_BODY_BYTES, multipartMaxBytes: options.multipartMaxBytes });
  // The library types a route's input as every declared media type at once (json AND form),
  // which no client can send; typed clients (hc) are given the JSON form, the one they send.
  return body as unknown as { required: true; description?: string; content: { "application/json": { schema: T } } };
}

/** The limits a body was declared with. */
export function bodyLimits(body: object): BodyLimits {
  return limitsOfBody.get(body) ?? { maxBytes: MAX_BODY_BYTES };
}
