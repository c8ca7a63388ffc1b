/** The relations routes' query schemas (the relationship itself: src/http/representations/social.ts). */
import { z } from "zod";
import { cursorQuery, pageSizeQuery } from "../../http/pagination";

export const relatedListQuery = z.object({ cursor: cursorQuery, page_size: pageSizeQuery });

/** At most this many ids in one relationships request (Mastodon's limit). */
export const MAX_RELATIONSHIP_IDS = 40;

/** DRF's IntegerField: surrounding spaces, a sign and a trailing ".0" are allowed (Python's int() after DRF strips the decimal part). */
const INTEGER = /^\s*[+-]?\d+(\.0*)?\s*$/;

/**
 * `?id=1&id=2`: a DRF ListField of IntegerField with max_length 40. Every id must be an integer
 * (checked first, as DRF checks the elements before the length); ids no user can have (0,
 * negative, beyond safe integers) are kept, and name nobody.
 */
const idsQuery = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform((raw, ctx) => {
    const values = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
    const fail = (message: string) => {
      ctx.addIssue({ code: "custom", message });
      return z.NEVER;
    };
    if (values.length === 0) return fail("This field is required.");
    if (!values.every((value) => INTEGER.test(value))) return fail("A valid integer is required.");
    if (values.length > MAX_RELATIONSHIP_IDS) return fail(`Ensure this field has no more than ${MAX_RELATIONSHIP_IDS} elements.`);
    return values.map((value) => Number(value.trim().replace(/\.0*$/, "")));
  })
  .meta({
    type: "array",
    items: { type: "integer" },
    maxItems: MAX_RELATIONSHIP_IDS,
    description: `User ids, repeated (\`?id=1&id=2\`), 1 to ${MAX_RELATIONSHIP_IDS}.`,
  });

export const relationshipsQuery = z.object({ id: idsQuery });
