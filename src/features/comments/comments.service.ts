/**
 * Comments: under a post (`/api/posts/<id>/comments/`) and the course's flat `/api/comments/`.
 * Reads are anyone's (a caller sees nothing of a user they share a block with, nor the thread of
 * such a user's post); writes are the caller's, each one atomic write that moves the post's
 * counter and the post author's notification with the comment.
 */
import { NotFound, ValidationFailed } from "../../http/errors";
import { doesNotExist } from "../../http/fields";
import { choiceFilter, invalidChoice } from "../../http/filters";
import { refuseUnlessDone } from "../../http/outcomes";
import { type Cursor, decodeCursor } from "../../http/pagination";
import type { CallerDeps, ReaderDeps } from "../../lib/deps";
import type { CommentChanges, CommentRow, Entry } from "../../store";

/** A post's comments, newest first; a post unknown or hidden by a block: 404. */
export async function listPostComments({ content }: ReaderDeps, query: { postId: number; cursor: Cursor | undefined; size: number }): Promise<Entry<CommentRow>[]> {
  const { postVisible, entries } = await content.commentsPage(query.postId, query.cursor, query.size);
  if (!postVisible) throw new NotFound();
  return entries;
}

/**
 * `/api/comments/`: every comment the reader may see, newest first, or `?post=` one post's
 * (django-filter: unknown, hidden or not an integer is its 400, before the cursor's 404).
 */
export async function listComments({ content }: ReaderDeps, query: { post?: string; cursor?: string; size: number }) {
  const postId = choiceFilter("post", query.post);
  let cursor: Cursor | undefined;
  try {
    cursor = decodeCursor(query.cursor);
  } catch (error) {
    if (postId !== undefined && !(await content.commentsPage(postId, undefined, 0)).postVisible) throw invalidChoice("post");
    throw error;
  }
  const { postVisible, entries } = await content.commentsPage(postId, cursor, query.size);
  if (!postVisible) throw invalidChoice("post");
  return { cursor, entries };
}

export async function readComment({ content }: ReaderDeps, { id }: { id: number }): Promise<CommentRow> {
  const { comment } = await content.comment(id);
  if (!comment) throw new NotFound();
  return comment;
}

/** A comment under the post in the path: unknown or hidden by a block, 404. */
export async function commentOnPost({ caller }: CallerDeps, { postId, content }: { postId: number; content: string }): Promise<CommentRow> {
  const { comment } = await caller.content.createComment(postId, content, Date.now());
  if (!comment) throw new NotFound();
  return comment;
}

/** The flat shape: a post unknown or hidden by a block is PrimaryKeyRelatedField's 400. */
export async function commentOnPostInBody({ caller }: CallerDeps, { post, content }: { post: { id: number; text: string }; content: string }): Promise<CommentRow> {
  const missing = new ValidationFailed({ post: [doesNotExist(post.text)] });
  if (!Number.isSafeInteger(post.id)) {
    // Beyond the database's integers: names nothing, and is never sent to it (the caller is still checked first).
    await caller.check();
    throw missing;
  }
  const { comment } = await caller.content.createComment(post.id, content, Date.now());
  if (!comment) throw missing;
  return comment;
}

export async function editComment({ caller }: CallerDeps, { id, changes }: { id: number; changes: CommentChanges }): Promise<CommentRow> {
  const result = await caller.content.updateComment(id, changes, Date.now());
  refuseUnlessDone(result);
  return result.comment;
}

export async function deleteComment({ caller }: CallerDeps, { id }: { id: number }): Promise<void> {
  refuseUnlessDone(await caller.content.deleteComment(id));
}
