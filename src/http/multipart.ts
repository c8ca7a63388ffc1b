/**
 * multipart/form-data (RFC 7578) read from the one buffer that holds the body: text parts become
 * strings, file parts views into that buffer. A picture upload is so held in memory once; the
 * runtime's `formData()` would copy each file into a File, and reading it back copies it again.
 */
import { ParseError } from "./errors";

/** A file part: `bytes` is a view into the request body, not a copy. */
export class UploadedFile {
  constructor(
    readonly filename: string,
    readonly contentType: string,
    readonly bytes: Uint8Array,
  ) {}
}

const CRLF = [0x0d, 0x0a];
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });
const ascii = new TextEncoder();

function fail(reason: string): never {
  throw new ParseError(`Multipart form parse error - ${reason}`);
}

/** The boundary parameter of a multipart Content-Type, quoted or not. */
function boundaryOf(contentType: string): Uint8Array {
  const match = /;\s*boundary=(?:"([^"]{1,70})"|([^\s;"]{1,70}))/i.exec(contentType);
  const boundary = match?.[1] ?? match?.[2];
  if (!boundary) fail("no boundary in the Content-Type");
  return ascii.encode(boundary);
}

/** The first index of `needle` in `haystack` at or after `from`, or -1. */
function indexOf(haystack: Uint8Array, needle: Uint8Array, from: number): number {
  const first = needle[0]!;
  for (let i = haystack.indexOf(first, from); i !== -1 && i + needle.length <= haystack.length; i = haystack.indexOf(first, i + 1)) {
    let j = 1;
    while (j < needle.length && haystack[i + j] === needle[j]) j++;
    if (j === needle.length) return i;
  }
  return -1;
}

/** A Content-Disposition parameter (`name="..."`, `filename="..."`), with backslash escapes undone. */
function parameter(disposition: string, key: string): string | undefined {
  const match = new RegExp(`;\\s*${key}=(?:"((?:[^"\\\\]|\\\\.)*)"|([^;\\s]*))`, "i").exec(disposition);
  if (!match) return undefined;
  return match[1] !== undefined ? match[1].replace(/\\(.)/g, "$1") : match[2];
}

function decode(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    return fail("a part is not valid UTF-8");
  }
}

/** The parts of a multipart body, in order: `[name, text or file]`. */
export function* multipartParts(body: Uint8Array, contentType: string): Generator<[string, string | UploadedFile]> {
  const dashBoundary = Uint8Array.from([0x2d, 0x2d, ...boundaryOf(contentType)]);
  const delimiter = Uint8Array.from([...CRLF, ...dashBoundary]);
  // Anything before the first boundary is a preamble, ignored.
  const start = indexOf(body, dashBoundary, 0);
  if (start === -1) fail("no opening boundary");
  let cursor = start + dashBoundary.length;
  for (;;) {
    // After a boundary: `--` ends the body, CRLF starts a part.
    if (body[cursor] === 0x2d && body[cursor + 1] === 0x2d) return;
    if (body[cursor] !== 0x0d || body[cursor + 1] !== 0x0a) fail("a boundary is not followed by CRLF");
    const headersStart = cursor + 2;
    const headersEnd = indexOf(body, Uint8Array.from([0x0d, 0x0a, 0x0d, 0x0a]), headersStart);
    if (headersEnd === -1) fail("a part's headers do not end");
    const headers = decode(body.subarray(headersStart, headersEnd)).split("\r\n");
    const contentStart = headersEnd + 4;
    const contentEnd = indexOf(body, delimiter, contentStart);
    if (contentEnd === -1) fail("a part does not end with a boundary");
    const header = (name: string) => headers.find((line) => line.toLowerCase().startsWith(`${name}:`))?.slice(name.length + 1).trim();
    const disposition = header("content-disposition") ?? fail("a part has no Content-Disposition");
    const name = parameter(disposition, "name") ?? fail("a part has no name");
    const filename = parameter(disposition, "filename");
    const content = body.subarray(contentStart, contentEnd);
    yield [name, filename === undefined ? decode(content) : new UploadedFile(filename, header("content-type") ?? "application/octet-stream", content)];
    cursor = contentEnd + delimiter.length;
  }
}
