/**
 * PNG: signature, chunk walk with CRC checks (IHDR first, IDAT present, IEND last with nothing
 * after it), a valid zlib header on the image data, and a pixel count within Pillow's limit:
 * what Pillow's verify() checks. The pixel stream is not inflated: a small file that inflates to
 * gigabytes (a decompression bomb) costs no more than reading its bytes once.
 */
import { ByteReader, type ImageSize, plausibleSize } from "./bytes";

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
/** Valid bit depths per colour type. */
const COLOR_TYPES: Record<number, number[]> = { 0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16] };

export const isPngSignature = (bytes: Uint8Array) => SIGNATURE.every((byte, i) => bytes[i] === byte);

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

export function crc32(data: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of data) crc = CRC_TABLE[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

type Header = ImageSize;

function parseHeader(data: Uint8Array): Header | undefined {
  if (data.length !== 13) return undefined;
  const r = new ByteReader(data);
  const width = r.u32();
  const height = r.u32();
  const depth = r.u8();
  const depths = COLOR_TYPES[r.u8()];
  const [compression, filter, interlace] = [r.u8(), r.u8(), r.u8()];
  if (!depths || !depths.includes(depth) || compression !== 0 || filter !== 0 || interlace > 1) return undefined;
  if (!plausibleSize(width, height)) return undefined;
  return { width, height };
}

/** The zlib header (RFC 1950) that starts the image data: deflate, a window of at most 32 KiB, a valid check, no preset dictionary. */
function isZlibHeader(first: Uint8Array | undefined): boolean {
  if (!first || first.length < 2) return false;
  const [cmf, flg] = [first[0]!, first[1]!];
  return (cmf & 0x0f) === 8 && cmf >> 4 <= 7 && (cmf * 256 + flg) % 31 === 0 && (flg & 0x20) === 0;
}

export function readPng(bytes: Uint8Array): ImageSize | undefined {
  const r = new ByteReader(bytes, SIGNATURE.length);
  let header: Header | undefined;
  const idat: Uint8Array[] = [];
  for (let first = true; ; first = false) {
    const length = r.u32();
    const typeAndData = r.take(4 + length);
    const type = String.fromCharCode(...typeAndData.subarray(0, 4));
    if (r.u32() !== crc32(typeAndData)) return undefined;
    const data = typeAndData.subarray(4);
    if (first !== (type === "IHDR")) return undefined;
    if (type === "IHDR") header = parseHeader(data);
    else if (type === "IDAT") idat.push(data);
    else if (type === "IEND") break;
  }
  if (!header || !isZlibHeader(idat[0]) || r.remaining !== 0) return undefined;
  return { width: header.width, height: header.height };
}
