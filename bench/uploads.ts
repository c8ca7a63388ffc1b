/**
 * Upload latency, sequential (no queueing), for the pictures a profile update takes: a
 * decompression bomb (a 9000 x 9000 PNG whose 81 MB of pixels deflate to ~80 KB), an ordinary
 * 5 MiB JPEG, and a tiny PNG. Checking an upload must cost bounded work: the bomb no more than
 * the JPEG.
 */
import { deflateSync } from "node:zlib";
import { crc32 } from "../src/pictures/images/png";

function chunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, "latin1");
  out.set(data, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

function png(width: number, height: number, pixels: Buffer): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 0, 0, 0, 0], 8);
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, chunk("IHDR", header), chunk("IDAT", deflateSync(pixels, { level: 9 })), chunk("IEND", new Uint8Array())]);
}

/** A grey PNG of 81 million pixels, all zero: about 80 KB that inflate to 81 MB. */
export function bombPng(): Buffer {
  const side = 9000;
  return png(side, side, Buffer.alloc(side * (side + 1)));
}

export const tinyPng = () => png(4, 3, Buffer.alloc(3 * 5));

/** A baseline JPEG of 5 MiB: frame and Huffman tables, then a scan of 5 MiB of entropy-coded bytes. */
export function jpeg5MiB(): Buffer {
  const segment = (marker: number, body: number[]) => Buffer.from([0xff, marker, (body.length + 2) >> 8, (body.length + 2) & 0xff, ...body]);
  const frame = segment(0xc0, [8, 0x05, 0xa0, 0x07, 0x80, 1, 1, 0x11, 0]); // 1920 x 1440, one component
  const huffman = segment(0xc4, [0x00, 1, ...new Array(15).fill(0), 0]);
  const quant = segment(0xdb, [0, ...new Array(64).fill(1)]);
  const scanHeader = segment(0xda, [1, 1, 0x00, 0, 63, 0]);
  const scan = Buffer.alloc(5 * 1024 * 1024 - 200);
  for (let i = 0; i < scan.length; i++) scan[i] = (i * 2654435761) >>> 24 === 0xff ? 0xfe : (i * 2654435761) >>> 24;
  return Buffer.concat([Buffer.from([0xff, 0xd8]), quant, frame, huffman, scanHeader, scan, Buffer.from([0xff, 0xd9])]);
}

export interface UploadTimes {
  bomb: number;
  jpeg: number;
  tiny: number;
  sizes: { bomb: number; jpeg: number };
}

/** Median milliseconds of `runs` sequential profile updates with each picture. */
export async function uploadTimes(url: string, token: string, runs = 15): Promise<UploadTimes> {
  const pictures = { bomb: bombPng(), jpeg: jpeg5MiB(), tiny: tinyPng() };
  const time = async (bytes: Buffer) => {
    const samples: number[] = [];
    for (let i = 0; i < runs; i++) {
      const form = new FormData();
      form.set("profile_picture", new Blob([bytes]), "picture");
      const started = performance.now();
      const response = await fetch(`${url}/api/auth/profile/`, { method: "PATCH", headers: { Authorization: `Bearer ${token}` }, body: form });
      await response.arrayBuffer();
      if (response.status !== 200) throw new Error(`upload answered ${response.status}`);
      samples.push(performance.now() - started);
    }
    return [...samples].sort((a, b) => a - b)[Math.floor(samples.length / 2)]!;
  };
  return {
    bomb: await time(pictures.bomb),
    jpeg: await time(pictures.jpeg),
    tiny: await time(pictures.tiny),
    sizes: { bomb: pictures.bomb.length, jpeg: pictures.jpeg.length },
  };
}

export function uploadText(t: UploadTimes): string {
  const kib = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;
  return `Uploads, sequential profile updates (median ms): decompression bomb (9000 x 9000 PNG, ${kib(t.sizes.bomb)}, 81 MB of pixels) ${t.bomb.toFixed(1)}, ordinary 5 MiB JPEG (${kib(t.sizes.jpeg)}) ${t.jpeg.toFixed(1)}, tiny PNG ${t.tiny.toFixed(1)}.
The bomb costs ${(t.bomb / t.jpeg).toFixed(2)}x the JPEG: pictures are checked without decoding their pixels.`;
}
