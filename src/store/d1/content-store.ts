/**
 * Posts, comments and likes on D1: anonymous reads (one batch, no viewer) and the caller's reads
 * and writes (one batch each behind the caller's guard: ./caller-scope.ts).
 */
import type { BatchItem, BatchResponse } from "drizzle-orm/batch";
import type { CallerContentStore, CommentRow, ContentReads, Entry, PostRow } from "../social";
import type { CallerScope } from "./caller-scope";
import type { Database } from "./client";
import { commentStatement, commentsPageStatements, postStatement, postsPageStatements, userPostsStatements } from "./content-reads";
import { postRow } from "./content-sql";
import {
  createCommentStatements,
  createPostStatement,
  deleteCommentStatements,
  deletePostStatement,
  likeStatements,
  unlikeStatements,
  updateCommentStatement,
  updatePostStatement,
  visibleCommentAuthor,
  visiblePostAuthor,
} from "./content-writes";

/** Runs one batch; `X` is what it answers beside the results (the caller, behind the guard). */
type Run<X> = <const T extends readonly BatchItem<"sqlite">[]>(statements: T) => Promise<X & { results: BatchResponse<T> }>;

/** The reads, answering `X` too. */
type Reads<X> = { [K in keyof ContentReads]: ContentReads[K] extends (...args: infer A) => Promise<infer R> ? (...args: A) => Promise<X & R> : never };

const postEntries = (rows: Parameters<typeof postRow>[0][]): Entry<PostRow>[] => rows.map((row) => ({ position: row.id, row: postRow(row) }));
const commentEntries = (rows: CommentRow[]): Entry<CommentRow>[] => rows.map((row) => ({ position: row.id, row }));

/** The reads as `viewer` (or nobody) sees them, each one batch run by `run`. */
function reads<X extends object>(db: Database, viewer: number | undefined, run: Run<X>): Reads<X> {
  return {
    async postsPage(filter, cursor, limit) {
      const { results: [[known], rows], ...extra } = await run(postsPageStatements(db, viewer, filter, cursor, limit));
      return { ...(extra as X), authorKnown: known !== undefined, entries: postEntries(rows) };
    },
    async userPostsPage(userId, cursor, limit) {
      const { results: [[user], rows], ...extra } = await run(userPostsStatements(db, viewer, userId, cursor, limit));
      return { ...(extra as X), userExists: user !== undefined, entries: postEntries(rows) };
    },
    async post(id) {
      const { results: [[row]], ...extra } = await run([postStatement(db, viewer, id)]);
      return { ...(extra as X), post: row && postRow(row) };
    },
    async commentsPage(postId, cursor, limit) {
      const { results: [[shown], rows], ...extra } = await run(commentsPageStatements(db, viewer, postId, cursor, limit));
      return { ...(extra as X), postVisible: shown !== undefined, entries: commentEntries(rows) };
    },
    async comment(id) {
      const { results: [[row]], ...extra } = await run([commentStatement(db, viewer, id)]);
      return { ...(extra as X), comment: row };
    },
  };
}

export function d1ContentReads(db: Database): ContentReads {
  return reads(db, undefined, async (statements) => ({ results: (await db.batch(statements as never)) as never }));
}

/** What a write on the caller's own post or comment answers, from the author read before it in its batch. */
function outcomeOf(me: number, found: { authorId: number } | undefined) {
  if (!found) return { outcome: "not_found" as const };
  return found.authorId === me ? { outcome: "done" as const } : { outcome: "forbidden" as const };
}

export function d1CallerContentStore(db: Database, scope: CallerScope): CallerContentStore {
  const me = scope.id;
  const seen = reads(db, me, (statements) => scope.batch(statements));
  return {
    ...seen,

    async createPost(post, now) {
      const { caller, results: [[row]] } = await scope.batch([createPostStatement(db, me, post, now)]);
      return { caller, post: { ...row!, author: caller.username, liked: false } };
    },

    async updatePost(id, changes, now) {
      const { caller, results: [found, , [row]] } = await scope.batch([visiblePostAuthor(db, me, id), updatePostStatement(db, me, id, changes, now), postStatement(db, me, id)]);
      const outcome = outcomeOf(me, found[0]);
      return outcome.outcome === "done" ? { caller, outcome: "done", post: postRow(row!) } : { caller, ...outcome };
    },

    async deletePost(id) {
      const { caller, results: [found] } = await scope.batch([visiblePostAuthor(db, me, id), deletePostStatement(db, me, id)]);
      return { caller, ...outcomeOf(me, found[0]) };
    },

    async createComment(postId, content, now) {
      const { caller, results: [, inserted] } = await scope.batch(createCommentStatements(db, me, postId, content, now));
      const [row] = inserted;
      return { caller, comment: row && { ...row, author: caller.username } };
    },

    async updateComment(id, changes, now) {
      const { caller, results: [found, , [row]] } = await scope.batch([visibleCommentAuthor(db, me, id), updateCommentStatement(db, me, id, changes, now), commentStatement(db, me, id)]);
      const outcome = outcomeOf(me, found[0]);
      return outcome.outcome === "done" ? { caller, outcome: "done", comment: row! } : { caller, ...outcome };
    },

    async deleteComment(id) {
      const { caller, results: [found] } = await scope.batch([visibleCommentAuthor(db, me, id), ...deleteCommentStatements(db, me, id)]);
      return { caller, ...outcomeOf(me, found[0]) };
    },

    async like(postId, now) {
      const { caller, results } = await scope.batch(likeStatements(db, me, postId, now));
      const [[state], , , , [count]] = results;
      if (!state) return { caller, outcome: "not_found", likesCount: 0 };
      return { caller, outcome: state.liked ? "already" : "liked", likesCount: count!.likesCount };
    },

    async unlike(postId) {
      const { caller, results } = await scope.batch(unlikeStatements(db, me, postId));
      const [[state], , , , [count]] = results;
      if (!state) return { caller, outcome: "not_found", likesCount: 0 };
      return { caller, outcome: state.liked ? "unliked" : "not_liked", likesCount: count!.likesCount };
    },
  };
}
