/** The posts routes' bodies and list query (the post's own shape: src/http/representations/posts.ts). */
import { z } from "zod";
import { pythonCharField } from "../../http/fields";
import { cursorTextQuery, pageSizeQuery } from "../../http/pagination";

/** The course's `max_length=255`; the content's limit is ours (the course's TextField has none). */
export const TITLE_MAX_LENGTH = 255;
export const CONTENT_MAX_LENGTH = 10_000;

const title = () => pythonCharField({ maxLength: TITLE_MAX_LENGTH });
const content = () => pythonCharField({ maxLength: CONTENT_MAX_LENGTH });

/** POST and PUT: both fields; other fields are ignored. */
export const postBody = z.object({ title: title(), content: content() }).meta({ id: "PostRequest" });

/** PATCH: any subset. */
export const postPatchBody = z.object({ title: title().optional(), content: content().optional() }).meta({ id: "PatchedPostRequest" });

export type PostBody = z.infer<typeof postPatchBody>;

export const postsListQuery = z.object({
  search: z
    .string()
    .optional()
    .meta({
      description:
        "DRF's SearchFilter over title and content: terms split on whitespace and commas, a quoted phrase is one term; every term must occur (case-insensitively, literally) in the title or the content.",
    }),
  author: z.string().optional().meta({ type: "integer", description: "Only this user's posts. Unknown or not an integer: 400 (django-filter's invalid choice)." }),
  cursor: cursorTextQuery,
  page_size: pageSizeQuery,
});

export type PostsListQuery = z.infer<typeof postsListQuery>;
