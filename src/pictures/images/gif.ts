/** GIF: header, logical screen, then extension and image blocks (with their sub-blocks) up to the trailer. */
import { ByteReader, type ImageSize, plausibleSize } from "./bytes";

export const isGifSignature = (bytes: Uint8Array) => {
  const head = String.fromCharCode(...bytes.subarray(0, 6));
  return head === "GIF87a" || head === "GIF89a";
};

const colorTableBytes = (packed: number) => (packed & 0x80 ? 3 * 2 ** ((packed & 0x07) + 1) : 0);

function skipSubBlocks(r: ByteReader): void {
  for (let size = r.u8(); size !== 0; size = r.u8()) r.skip(size);
}

export function readGif(bytes: Uint8Array): ImageSize | undefined {
  const r = new ByteReader(bytes, 6);
  const width = r.u16(true);
  const height = r.u16(true);
  const packed = r.u8();
  r.skip(2 + colorTableBytes(packed));
  if (!plausibleSize(width, height)) return undefined;
  let images = 0;
  for (;;) {
    const block = r.u8();
    if (block === 0x3b) break;
    if (block === 0x21) {
      r.u8();
      skipSubBlocks(r);
    } else if (block === 0x2c) {
      r.skip(8);
      r.skip(colorTableBytes(r.u8()));
      const codeSize = r.u8();
      if (codeSize < 2 || codeSize > 11) return undefined;
      skipSubBlocks(r);
      images += 1;
    } else {
      return undefined;
    }
  }
  // Nothing may follow the trailer: an image with a file appended is not an image.
  return images > 0 && r.remaining === 0 ? { width, height } : undefined;
}
