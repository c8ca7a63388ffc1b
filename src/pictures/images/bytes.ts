/** A bounds-checked big-endian/little-endian reader: any read past the end means "not an image". */

export class Truncated extends Error {}

export class ByteReader {
  private view: DataView;
  constructor(readonly bytes: Uint8Array, public offset = 0) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  get remaining(): number {
    return this.bytes.length - this.offset;
  }
  need(count: number): void {
    if (count < 0 || this.offset + count > this.bytes.length) throw new Truncated();
  }
  u8(): number {
    this.need(1);
    return this.view.getUint8(this.offset++);
  }
  u16(littleEndian = false): number {
    this.need(2);
    const value = this.view.getUint16(this.offset, littleEndian);
    this.offset += 2;
    return value;
  }
  u24le(): number {
    return this.u16(true) | (this.u8() << 16);
  }
  u32(littleEndian = false): number {
    this.need(4);
    const value = this.view.getUint32(this.offset, littleEndian);
    this.offset += 4;
    return value;
  }
  ascii(length: number): string {
    return String.fromCharCode(...this.take(length));
  }
  take(length: number): Uint8Array {
    this.need(length);
    const slice = this.bytes.subarray(this.offset, this.offset + length);
    this.offset += length;
    return slice;
  }
  skip(length: number): void {
    this.need(length);
    this.offset += length;
  }
}

export interface ImageSize {
  width: number;
  height: number;
}

/** Pillow's decompression-bomb threshold: larger images are refused rather than decoded. */
export const MAX_PIXELS = 89_478_485;

export function plausibleSize(width: number, height: number): boolean {
  return width > 0 && height > 0 && width * height <= MAX_PIXELS;
}
