/** The `profile_picture` field of a profile update: a file part that must be an image, or empty/null to remove. */
import { z } from "zod";
import { UploadedFile } from "../http/multipart";
import { type RecognizedImage, recognizeImage } from "./images";

export const MAX_PICTURE_BYTES = 5 * 1024 * 1024;
/** A multipart body may carry a full-size picture plus the text fields. */
export const MAX_PICTURE_BODY_BYTES = MAX_PICTURE_BYTES + 64 * 1024;

export const INVALID_IMAGE = "Upload a valid image. The file you uploaded was either not an image or a corrupted image.";

export interface UploadedPicture {
  bytes: Uint8Array;
  image: RecognizedImage;
}

/** Output: the checked picture, or `null` to remove the current one. */
export function pictureField() {
  return z
    .unknown()
    .transform(async (value, ctx): Promise<UploadedPicture | null> => {
      if (value === null || value === "") return null;
      // The file part's bytes are a view into the request body: checked and stored without a copy.
      if (value instanceof UploadedFile && value.bytes.length > 0 && value.bytes.length <= MAX_PICTURE_BYTES) {
        const image = await recognizeImage(value.bytes);
        if (image) return { bytes: value.bytes, image };
      }
      ctx.issues.push({ code: "custom", message: INVALID_IMAGE, input: value });
      return z.NEVER;
    })
    .meta({
      type: ["string", "null"],
      format: "binary",
      description: "A PNG, JPEG, GIF or WebP file part of a multipart body (at most 5 MiB); empty or null removes the picture.",
    });
}
