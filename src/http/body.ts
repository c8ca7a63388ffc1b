/**
 * Reads a write request's body as DRF's three default parsers would (JSON, urlencoded form,
 * multipart form) into one plain object, so each route declares a single zod schema.
 */
import type { Context } from "hono";
import { PayloadTooLarge, ParseError, UnsupportedMediaType, ValidationFailed } from "./errors";

/** The default body limit of every write route. */
export const MAX_BODY_BYTES = 1024 * 1024;

const JSON_TYPE = /^application\/([\w.-]+\+)?json$/;

export interface BodyLimits {
  /** Every body; default 1 MiB. */
  maxBytes?: number;
  /** Multipart bodies, on routes that take files. */
  multipartMaxBytes?: number;
}

/**
 * Parses the body and hands it to zValidator("json") through `c.req.json()`: Hono's own json()
 * would re-read the raw text (and could not carry a multipart body's files), so this request's
 * json() returns the object parsed here. Form bodies are presented to the validator as JSON too
 * (their content type is rewritten on Hono's request wrapper only, not on the raw request).
 */
export async function loadBody(c: Context, limits: BodyLimits = {}): Promise<void> {
  const contentType = c.req.header("Content-Type") ?? "";
  const mediaType = contentType.split(";")[0]!.trim().toLowerCase();
  const maxBytes =
    mediaType === "multipart/form-data" ? (limits.multipartMaxBytes ?? limits.maxBytes ?? MAX_BODY_BYTES) : (limits.maxBytes ?? MAX_BODY_BYTES);
  const bytes = await readLimited(c.req.raw, maxBytes);
  const data = bytes.length === 0 || mediaType === "" ? {} : await parse(bytes, mediaType, contentType);
  requireDictionary(data);
  c.req.json = async <T>() => data as T;
  if (!JSON_TYPE.test(mediaType)) {
    const headers = new Headers(c.req.raw.headers);
    headers.set("Content-Type", "application/json");
    c.req.raw = new Request(c.req.url, { method: c.req.method, headers });
  }
}

async function parse(bytes: Uint8Array, mediaType: string, contentType: string): Promise<unknown> {
  if (JSON_TYPE.test(mediaType)) return parseJson(bytes);
  if (mediaType === "application/x-www-form-urlencoded") {
    return lastValues(new URLSearchParams(decodeUtf8(bytes, "Form")));
  }
  if (mediaType === "multipart/form-data") {
    try {
      const form = await new Response(bytes, { headers: { "Content-Type": contentType } }).formData();
      return lastValues(form);
    } catch (error) {
      throw new ParseError(`Multipart form parse error - ${(error as Error).message}`);
    }
  }
  throw new UnsupportedMediaType(contentType);
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

function parseJson(bytes: Uint8Array): unknown {
  const text = decodeUtf8(bytes, "JSON");
  if (nestingDepth(text, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) {
    throw new ParseError(`JSON parse error - nesting deeper than ${MAX_JSON_DEPTH} levels`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ParseError(`JSON parse error - ${(error as Error).message}`);
  }
}

function decodeUtf8(bytes: Uint8Array, kind: "JSON" | "Form"): string {
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new ParseError(`${kind} parse error - the body is not valid UTF-8`);
  }
}

/** A repeated form key keeps its last value, as Django's QueryDict does for a single field. */
function lastValues(entries: Iterable<[string, string | File]>): Record<string, string | File> {
  const data: Record<string, string | File> = {};
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

/** Reads at most `maxBytes`, refusing larger bodies as soon as the declared length or the stream exceeds it. */
async function readLimited(request: Request, maxBytes: number): Promise<Uint8Array> {
  const declared = Number(request.headers.get("Content-Length") ?? "0");
  if (declared > maxBytes) throw new PayloadTooLarge(maxBytes);
  if (!request.body) return new Uint8Array();
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      throw new PayloadTooLarge(maxBytes);
    }
    chunks.push(value);
  }
  const body = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}
