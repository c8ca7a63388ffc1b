/**
 * WebP: a RIFF container whose size matches the file, a chunk walk that ends exactly at the end,
 * and a VP8 / VP8L / VP8X header with valid signatures and dimensions.
 */
import { ByteReader, type ImageSize, plausibleSize } from "./bytes";

export const isWebpSignature = (bytes: Uint8Array) =>
  String.fromCharCode(...bytes.subarray(0, 4)) === "RIFF" && String.fromCharCode(...bytes.subarray(8, 12)) === "WEBP";

function vp8(data: Uint8Array): ImageSize | undefined {
  const r = new ByteReader(data);
  const tag = r.u24le();
  if ((tag & 1) !== 0 || r.u8() !== 0x9d || r.u8() !== 0x01 || r.u8() !== 0x2a) return undefined;
  const width = r.u16(true) & 0x3fff;
  const height = r.u16(true) & 0x3fff;
  // The first partition must fit in the chunk.
  if (tag >>> 5 > data.length - 10) return undefined;
  return { width, height };
}

function vp8l(data: Uint8Array): ImageSize | undefined {
  const r = new ByteReader(data);
  if (r.u8() !== 0x2f) return undefined;
  const bits = r.u32(true);
  if (bits >>> 29 !== 0) return undefined;
  return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
}

export function readWebp(bytes: Uint8Array): ImageSize | undefined {
  const r = new ByteReader(bytes, 4);
  if (r.u32(true) + 8 !== bytes.length) return undefined;
  r.skip(4);
  let size: ImageSize | undefined;
  let canvas: ImageSize | undefined;
  let frames = 0;
  for (let first = true; r.remaining > 0; first = false) {
    const fourcc = r.ascii(4);
    const length = r.u32(true);
    const data = r.take(length);
    if (length % 2 === 1) r.skip(1);
    if (fourcc === "VP8 ") size = vp8(data);
    else if (fourcc === "VP8L") size = vp8l(data);
    else if (fourcc === "VP8X" && first) {
      const x = new ByteReader(data);
      x.skip(4);
      canvas = { width: x.u24le() + 1, height: x.u24le() + 1 };
    } else if (fourcc === "ANMF") frames += 1;
    else if (first) return undefined;
    if ((fourcc === "VP8 " || fourcc === "VP8L") && !size) return undefined;
  }
  const result = canvas && (size || frames > 0) ? canvas : size;
  return result && plausibleSize(result.width, result.height) ? result : undefined;
}
