/**
 * JPEG: SOI, then a walk of the marker segments and entropy-coded scans up to EOI, with a
 * frame header (SOF) giving non-zero dimensions and at least one scan. A cut-off file has no EOI.
 */
import { ByteReader, type ImageSize, plausibleSize } from "./bytes";

export const isJpegSignature = (bytes: Uint8Array) => bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;

// SOF0-SOF15 except DHT (C4), JPG (C8) and DAC (CC).
const isFrameHeader = (marker: number) => marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker);
const isRestart = (marker: number) => marker >= 0xd0 && marker <= 0xd7;

/** Skips entropy-coded data: stuffed FF00 and restart markers belong to the scan. */
function skipScan(r: ByteReader): void {
  for (;;) {
    if (r.u8() !== 0xff) continue;
    const next = r.bytes[r.offset];
    if (next === undefined) r.need(1);
    if (next === 0x00 || isRestart(next!) || next === 0xff) {
      if (next !== 0xff) r.offset++;
      continue;
    }
    r.offset--;
    return;
  }
}

export function readJpeg(bytes: Uint8Array): ImageSize | undefined {
  const r = new ByteReader(bytes, 2);
  let size: ImageSize | undefined;
  let scans = 0;
  for (;;) {
    if (r.u8() !== 0xff) return undefined;
    let marker = r.u8();
    while (marker === 0xff) marker = r.u8();
    if (marker === 0xd9) break;
    if (marker === 0xd8 || marker === 0x00 || isRestart(marker)) return undefined;
    if (marker === 0x01) continue;
    const length = r.u16();
    if (length < 2) return undefined;
    const segment = new ByteReader(r.take(length - 2));
    if (isFrameHeader(marker)) {
      segment.u8();
      const height = segment.u16();
      const width = segment.u16();
      const components = segment.u8();
      if (components < 1 || components > 4 || segment.remaining !== components * 3 || !plausibleSize(width, height)) return undefined;
      size = { width, height };
    }
    if (marker === 0xda) {
      if (!size) return undefined;
      scans += 1;
      skipScan(r);
    }
  }
  // Nothing may follow EOI: an image with a file appended is not an image.
  return size && scans > 0 && r.remaining === 0 ? size : undefined;
}
