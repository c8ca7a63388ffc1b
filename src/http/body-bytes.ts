/**
 * A request body read into one buffer within a size limit, so that an upload is held in memory
 * once. With Content-Length the buffer is allocated at that size, never past the limit (body.ts
 * refuses a larger declaration before anything is read); without it (a streamed, chunked upload)
 * the stream is read into a buffer that doubles as it fills, never past the limit, and refused
 * with 413 as soon as it passes the limit. Hono's bodyLimit would wrap the bytes it counted in a
 * new Request, which copies them, and reading that Request copies them again.
 */
import { PayloadTooLarge } from "./errors";

/** Where a body of unknown length starts: most bodies fit, and an upload doubles from here a few times. */
const FIRST_CAPACITY = 64 * 1024;

/** Content-Length, when it is the body's length (not with Transfer-Encoding, as HTTP/1.1 says). */
function declaredLength(headers: Headers): number | undefined {
  const value = headers.get("Content-Length");
  if (value === null || headers.has("Transfer-Encoding") || !/^\d{1,15}$/.test(value)) return undefined;
  return Number(value);
}

/** `buffer`'s first `size` bytes in a buffer of at least `needed` bytes: twice as large, at most `maxBytes`. */
function grown(buffer: Uint8Array<ArrayBuffer>, size: number, needed: number, maxBytes: number): Uint8Array<ArrayBuffer> {
  const larger = new Uint8Array(Math.min(maxBytes, Math.max(needed, buffer.byteLength * 2)));
  larger.set(buffer.subarray(0, size));
  return larger;
}

/** 413 when Content-Length says the body is over `maxBytes`, before anything else is looked at. */
export function refuseDeclaredOver(headers: Headers, maxBytes: number): void {
  const declared = declaredLength(headers);
  if (declared !== undefined && declared > maxBytes) throw new PayloadTooLarge(maxBytes);
}

/** The body's bytes (a view of the one buffer they were read into); 413 past `maxBytes`. */
export async function readBodyBytes(request: Request, maxBytes: number): Promise<Uint8Array> {
  if (!request.body) return new Uint8Array(0);
  let buffer = new Uint8Array(Math.min(declaredLength(request.headers) ?? FIRST_CAPACITY, maxBytes));
  let size = 0;
  const reader = request.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    const needed = size + value.byteLength;
    if (needed > maxBytes) {
      // Stop the upload here: nothing more of it is read, nothing more is held.
      void reader.cancel().catch(() => {});
      throw new PayloadTooLarge(maxBytes);
    }
    if (needed > buffer.byteLength) buffer = grown(buffer, size, needed, maxBytes);
    buffer.set(value, size);
    size = needed;
  }
  return size === buffer.byteLength ? buffer : buffer.subarray(0, size);
}
