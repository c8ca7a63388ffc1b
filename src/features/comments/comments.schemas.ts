/** The comments routes' bodies and list queries (the comment's own shape: src/http/representations/posts.ts). */
import { z } from "zod";
import { primaryKeyField, pythonCharField } from "../../http/fields";
import { cursorQuery, cursorTextQuery, pageSizeQuery } from "../../http/pagination";

export const COMMENT_MAX_LENGTH = 2000;

const content = () => pythonCharField({ maxLength: COMMENT_MAX_LENGTH });

/** Under a post (the post comes from the path), and PUT; other fields are ignored. */
export const commentBody = z.object({ content: content() }).meta({ id: "CommentRequest" });

export const commentPatchBody = z.object({ content: content().optional() }).meta({ id: "PatchedCommentRequest" });

/** `POST /api/comments/`: the course's flat shape, the post's id in the body. */
export const flatCommentBody = z
  .object({ post: primaryKeyField().meta({ description: "The post's id." }), content: content() })
  .meta({ id: "FlatCommentRequest" });

export const commentsListQuery = z.object({
  post: z.string().optional().meta({ type: "integer", description: "Only this post's comments. Unknown, hidden by a block or not an integer: 400 (django-filter's invalid choice)." }),
  cursor: cursorTextQuery,
  page_size: pageSizeQuery,
});

export const postCommentsQuery = z.object({ cursor: cursorQuery, page_size: pageSizeQuery });
