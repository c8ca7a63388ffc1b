/**
 * Posts: the list (search, author filter), one post, a user's posts, and the author's writes.
 * Reads are anyone's (through the caller's guard when there is a caller: their `liked` flags, and
 * nothing of a user they share a block with); writes are the caller's, each one atomic write.
 */
import { NotFound } from "../../http/errors";
import { choiceFilter, invalidChoice, searchTerms } from "../../http/filters";
import { refuseUnlessDone } from "../../http/outcomes";
import { type Cursor, decodeCursor } from "../../http/pagination";
import type { CallerDeps, ReaderDeps } from "../../lib/deps";
import type { Entry, PostChanges, PostRow } from "../../store";
import type { PostsListQuery } from "./posts.schemas";

export interface PostsPage {
  cursor: Cursor | undefined;
  entries: Entry<PostRow>[];
}

/** `/api/posts/`: the filters first (their 400s), then the cursor (404), as DRF filters before it paginates. */
export async function listPosts({ content }: ReaderDeps, query: PostsListQuery): Promise<PostsPage> {
  const authorId = choiceFilter("author", query.author);
  const terms = searchTerms(query.search);
  let cursor: Cursor | undefined;
  try {
    cursor = decodeCursor(query.cursor);
  } catch (error) {
    // A bad cursor with an author that names nobody: the author's 400 still comes first.
    if (authorId !== undefined && !(await content.postsPage({ authorId }, undefined, 0)).authorKnown) throw invalidChoice("author");
    throw error;
  }
  const { authorKnown, entries } = await content.postsPage({ terms, authorId }, cursor, query.page_size);
  if (!authorKnown) throw invalidChoice("author");
  return { cursor, entries };
}

/** `/api/users/<id>/posts/`: an unknown user is 404; one hidden by a block has an empty list. */
export async function listUserPosts({ content }: ReaderDeps, query: { userId: number; cursor: Cursor | undefined; size: number }): Promise<Entry<PostRow>[]> {
  const { userExists, entries } = await content.userPostsPage(query.userId, query.cursor, query.size);
  if (!userExists) throw new NotFound();
  return entries;
}

export async function readPost({ content }: ReaderDeps, { id }: { id: number }): Promise<PostRow> {
  const { post } = await content.post(id);
  if (!post) throw new NotFound();
  return post;
}

/** A new post; the feed's fan-out to the author's followers is queued after the response. */
export async function createPost(deps: CallerDeps, body: { title: string; content: string }): Promise<PostRow> {
  const { post } = await deps.caller.content.createPost(body, Date.now());
  deps.feed.enqueue({ kind: "fan_out", postId: post.id });
  return post;
}

export async function editPost({ caller }: CallerDeps, { id, changes }: { id: number; changes: PostChanges }): Promise<PostRow> {
  const result = await caller.content.updatePost(id, changes, Date.now());
  refuseUnlessDone(result);
  return result.post;
}

export async function deletePost({ caller }: CallerDeps, { id }: { id: number }): Promise<void> {
  refuseUnlessDone(await caller.content.deletePost(id));
}
