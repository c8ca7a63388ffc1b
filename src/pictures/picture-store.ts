/** Profile pictures in R2: keys made by the server, objects written with their content type. */
import type { UploadedPicture } from "./picture-field";

const PREFIX = "profile_pics/";
/** Keys we serve: ours (`profile_pics/<hex>.<ext>`) and Django's imported ones (`profile_pics/<name>`), never a path. */
const SERVABLE_KEY = /^profile_pics\/[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;

export function isServableKey(key: string): boolean {
  return SERVABLE_KEY.test(key) && !key.includes("..");
}

function newKey(extension: string): string {
  const random = crypto.getRandomValues(new Uint8Array(16));
  return `${PREFIX}${[...random].map((byte) => byte.toString(16).padStart(2, "0")).join("")}.${extension}`;
}

export async function storePicture(bucket: R2Bucket, picture: UploadedPicture): Promise<string> {
  const key = newKey(picture.image.extension);
  await bucket.put(key, picture.bytes, { httpMetadata: { contentType: picture.image.contentType } });
  return key;
}

/** Deletes an object; a failure is logged (an orphan is wasted space, not a broken profile). */
export async function deletePicture(bucket: R2Bucket, key: string): Promise<void> {
  try {
    await bucket.delete(key);
  } catch (error) {
    console.error(JSON.stringify({ level: "error", event: "picture-delete-failed", key, message: (error as Error).message }));
  }
}
