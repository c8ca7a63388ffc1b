/**
 * Recognises a profile picture by its bytes, never by its name or declared type: PNG, JPEG, GIF
 * or WebP whose structure parses to the end (a valid signature followed by junk is refused).
 */
import { Truncated } from "./bytes";
import { isGifSignature, readGif } from "./gif";
import { isJpegSignature, readJpeg } from "./jpeg";
import { isPngSignature, readPng } from "./png";
import { isWebpSignature, readWebp } from "./webp";

export interface RecognizedImage {
  contentType: "image/png" | "image/jpeg" | "image/gif" | "image/webp";
  extension: "png" | "jpg" | "gif" | "webp";
  width: number;
  height: number;
}

const FORMATS = [
  { signature: isPngSignature, read: readPng, contentType: "image/png", extension: "png" },
  { signature: isJpegSignature, read: readJpeg, contentType: "image/jpeg", extension: "jpg" },
  { signature: isGifSignature, read: readGif, contentType: "image/gif", extension: "gif" },
  { signature: isWebpSignature, read: readWebp, contentType: "image/webp", extension: "webp" },
] as const;

export async function recognizeImage(bytes: Uint8Array): Promise<RecognizedImage | undefined> {
  const format = FORMATS.find((candidate) => candidate.signature(bytes));
  if (!format) return undefined;
  try {
    const size = await format.read(bytes);
    return size && { contentType: format.contentType, extension: format.extension, ...size };
  } catch (error) {
    if (error instanceof Truncated) return undefined;
    throw error;
  }
}
