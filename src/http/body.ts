/**
 * The body middleware of every write route: DRF's three default parsers (JSON, urlencoded form,
 * multipart form) read the body into one plain object within its size limit, the route's zod
 * schema validates it, and the result reaches the handler through Hono's `addValidatedData`
 * (`c.req.valid("json")`), whatever the media type.
 */
import { createMiddleware } from "hono/factory";
import type { z } from "@hono/zod-openapi";
import type { AppEnv } from "../env";
import { readBodyBytes, refuseDeclaredOver } from "./body-bytes";
import { ParseError, UnsupportedMediaType, ValidationFailed } from "./errors";
import { multipartParts } from "./multipart";
import { type BodyLimits, bodyLimits } from "./openapi";
import { fieldErrors } from "./validation";

const JSON_TYPE = /^application\/([\w.-]+\+)?json$/;

const mediaTypeOf = (contentType: string) => contentType.split(";")[0]!.trim().toLowerCase();

/** The middleware for a route's declared body (built by `requestBody` in openapi.ts). */
export function parseBody(body: { content: { "application/json": { schema: z.ZodType } } }) {
  const schema = body.content["application/json"].schema;
  const limits = bodyLimits(body);
  return createMiddleware<AppEnv>(async (c, next) => {
    const contentType = c.req.header("Content-Type") ?? "";
    const mediaType = mediaTypeOf(contentType);
    const data = await read(c.req.raw, mediaType, contentType, maxBytesFor(mediaType, limits));
    requireDictionary(data);
    const result = await schema.safeParseAsync(data);
    if (!result.success) throw new ValidationFailed(fieldErrors(result.error.issues));
    c.req.addValidatedData("json", result.data as object);
    await next();
  });
}

function maxBytesFor(mediaType: string, limits: BodyLimits): number {
  return mediaType === "multipart/form-data" ? (limits.multipartMaxBytes ?? limits.maxBytes) : limits.maxBytes;
}

/** The body as one plain object; its bytes are read once, into one buffer (see body-bytes.ts). */
async function read(request: Request, mediaType: string, contentType: string, maxBytes: number): Promise<unknown> {
  if (!request.body) return {};
  // A declared length over the limit is refused whatever the media type, as before anything is read.
  refuseDeclaredOver(request.headers, maxBytes);
  if (mediaType === "") return {};
  if (JSON_TYPE.test(mediaType)) {
    const text = utf8(await readBodyBytes(request, maxBytes), "JSON");
    return text === "" ? {} : parseJson(text);
  }
  if (mediaType === "application/x-www-form-urlencoded") return lastValues(new URLSearchParams(utf8(await readBodyBytes(request, maxBytes), "Form")));
  if (mediaType === "multipart/form-data") return lastValues(multipartParts(await readBodyBytes(request, maxBytes), contentType));
  throw new UnsupportedMediaType(contentType);
}

/** The body as strict UTF-8 (a Request's text() would replace bad bytes silently). */
function utf8(bytes: Uint8Array, kind: "JSON" | "Form"): string {
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new ParseError(`${kind} parse error - the body is not valid UTF-8`);
  }
}

/** No body of this API nests; deeper JSON is refused before it is parsed. */
const MAX_JSON_DEPTH = 32;

/** The deepest array/object nesting in `text`, counted outside strings, stopping past `limit`. */
function nestingDepth(text: string, limit: number): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (inString) {
      if (ch === 0x5c) i++; // backslash: skip the escaped character
      else if (ch === 0x22) inString = false;
    } else if (ch === 0x22) inString = true;
    else if (ch === 0x7b || ch === 0x5b) {
      deepest = Math.max(deepest, ++depth);
      if (deepest > limit) return deepest;
    } else if (ch === 0x7d || ch === 0x5d) depth--;
  }
  return deepest;
}

function parseJson(text: string): unknown {
  if (nestingDepth(text, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) {
    throw new ParseError(`JSON parse error - nesting deeper than ${MAX_JSON_DEPTH} levels`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ParseError(`JSON parse error - ${(error as Error).message}`);
  }
}

/** A repeated form key keeps its last value, as Django's QueryDict does for a single field. */
function lastValues<T>(entries: Iterable<[string, T]>): Record<string, T> {
  const data: Record<string, T> = {};
  for (const [key, value] of entries) data[key] = value;
  return data;
}

/** The name Python gives a JSON value's type, as DRF's message shows it. */
function pythonTypeName(value: unknown): string {
  if (Array.isArray(value)) return "list";
  if (value === null) return "NoneType";
  if (typeof value === "number") return Number.isInteger(value) ? "int" : "float";
  return typeof value === "string" ? "str" : "bool";
}

/** DRF's message when the body is JSON but not an object. */
function requireDictionary(data: unknown): asserts data is Record<string, unknown> {
  if (typeof data === "object" && data !== null && !Array.isArray(data)) return;
  throw new ValidationFailed({ non_field_errors: [`Invalid data. Expected a dictionary, but got ${pythonTypeName(data)}.`] });
}
