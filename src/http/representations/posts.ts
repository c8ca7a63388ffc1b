/** The JSON shapes of a post and a comment (API.md "Posts", "Comments") and their representations. */
import { z } from "zod";
import type { CommentRow, PostRow } from "../../store";

const dateTime = z.string().meta({ format: "date-time" });
const link = z.string().nullable().meta({ format: "uri" });

export const postSchema = z
  .object({
    id: z.number().int(),
    author: z.string().meta({ description: "The author's username." }),
    author_id: z.number().int(),
    title: z.string(),
    content: z.string(),
    created_at: dateTime,
    updated_at: dateTime.meta({ description: "Moves only on the author's edits." }),
    likes_count: z.number().int(),
    comments_count: z.number().int(),
    liked: z.boolean().meta({ description: "Whether the caller likes it (false without credentials)." }),
  })
  .meta({ id: "Post" });

export const commentSchema = z
  .object({
    id: z.number().int(),
    post: z.number().int().meta({ description: "The post's id." }),
    author: z.string().meta({ description: "The author's username." }),
    author_id: z.number().int(),
    content: z.string(),
    created_at: dateTime,
    updated_at: dateTime,
  })
  .meta({ id: "Comment" });

export const postPageSchema = z.object({ next: link, previous: link, results: z.array(postSchema) }).meta({ id: "PostPage" });
export const commentPageSchema = z.object({ next: link, previous: link, results: z.array(commentSchema) }).meta({ id: "CommentPage" });

export type Post = z.infer<typeof postSchema>;
export type Comment = z.infer<typeof commentSchema>;

export function postOf(row: PostRow): Post {
  return {
    id: row.id,
    author: row.author,
    author_id: row.authorId,
    title: row.title,
    content: row.content,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
    likes_count: row.likesCount,
    comments_count: row.commentsCount,
    liked: row.liked,
  };
}

export function commentOf(row: CommentRow): Comment {
  return {
    id: row.id,
    post: row.postId,
    author: row.author,
    author_id: row.authorId,
    content: row.content,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}

/** An object id in a path: Django's `<int:pk>`; anything else, or beyond SQLite's integers, names nothing (404). */
const objectId = (description: string) =>
  z
    .string()
    .regex(/^[0-9]{1,16}$/)
    .transform(Number)
    .refine((id) => Number.isSafeInteger(id) && id >= 1)
    .meta({ type: "integer", minimum: 1, description });

export const postIdParams = z.object({ id: objectId("A post id.") });
export const commentIdParams = z.object({ id: objectId("A comment id.") });
