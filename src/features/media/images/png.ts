/**
 * PNG: signature, chunk walk with CRC checks (IHDR first, IDAT present, IEND last with nothing
 * after it), and the IDAT zlib stream inflated to exactly the size the header promises.
 */
import { ByteReader, type ImageSize, plausibleSize } from "./bytes";

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
/** Raw pixel data beyond this is refused: a small file must not make us inflate gigabytes. */
const MAX_RAW_BYTES = 256 * 1024 * 1024;
// Valid bit depths per colour type, and samples per pixel.
const COLOR_TYPES: Record<number, { depths: number[]; samples: number }> = {
  0: { depths: [1, 2, 4, 8, 16], samples: 1 },
  2: { depths: [8, 16], samples: 3 },
  3: { depths: [1, 2, 4, 8], samples: 1 },
  4: { depths: [8, 16], samples: 2 },
  6: { depths: [8, 16], samples: 4 },
};

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

interface Header extends ImageSize {
  bitsPerPixel: number;
  interlaced: boolean;
}

function parseHeader(data: Uint8Array): Header | undefined {
  if (data.length !== 13) return undefined;
  const r = new ByteReader(data);
  const width = r.u32();
  const height = r.u32();
  const depth = r.u8();
  const colorType = COLOR_TYPES[r.u8()];
  const [compression, filter, interlace] = [r.u8(), r.u8(), r.u8()];
  if (!colorType || !colorType.depths.includes(depth) || compression !== 0 || filter !== 0 || interlace > 1) return undefined;
  if (!plausibleSize(width, height)) return undefined;
  return { width, height, bitsPerPixel: depth * colorType.samples, interlaced: interlace === 1 };
}

/** Bytes of filtered scanlines: one filter byte per row, for each Adam7 pass when interlaced. */
function rawSize({ width, height, bitsPerPixel, interlaced }: Header): number {
  const rows = (w: number, h: number) => (w === 0 || h === 0 ? 0 : h * (1 + Math.ceil((w * bitsPerPixel) / 8)));
  if (!interlaced) return rows(width, height);
  const passes = [[0, 0, 8, 8], [4, 0, 8, 8], [0, 4, 4, 8], [2, 0, 4, 4], [0, 2, 2, 4], [1, 0, 2, 2], [0, 1, 1, 2]];
  return passes.reduce((sum, [x0, y0, dx, dy]) => sum + rows(Math.ceil((width - x0!) / dx!), Math.ceil((height - y0!) / dy!)), 0);
}

/** Inflates the zlib stream, counting (not keeping) the output, stopping once it exceeds `expected`. */
async function inflatedLength(parts: Uint8Array[], expected: number): Promise<number> {
  const stream = new Blob(parts).stream().pipeThrough(new DecompressionStream("deflate"));
  const reader = stream.getReader();
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return total;
      total += value.byteLength;
      if (total > expected) {
        await reader.cancel();
        return total;
      }
    }
  } catch {
    return -1;
  }
}

export async function readPng(bytes: Uint8Array): Promise<ImageSize | undefined> {
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
  if (!header || idat.length === 0 || r.remaining !== 0) return undefined;
  const expected = rawSize(header);
  if (expected > MAX_RAW_BYTES) return undefined;
  if ((await inflatedLength(idat, expected)) !== expected) return undefined;
  return { width: header.width, height: header.height };
}
