/** Posts, comments and likes on PostgreSQL: anonymous reads, and the caller's reads and writes behind the guard (one statement each). */
import type { CallerIdentity } from "../store";
import type { CallerContentStore, ContentOutcome, ContentReads } from "../social";
import type { Connection } from "./client";
import { anonymousFrame, callerFrame, contentReads } from "./content-reads";
import { commentRow, postRow } from "./content-sql";
import { contentWrites } from "./content-writes";
import { callerOf } from "./guard";
import type { Raw } from "./mapping";

export function postgresContentReads(connection: Connection): ContentReads {
  return contentReads(connection, anonymousFrame);
}

/**
 * What a write on the caller's own post or comment found: `target_author` is the author of what the
 * caller may see (none: 404). `edited`: an edit must also have returned its row (deleted meanwhile: 404).
 */
function outcomeOf(me: number, row: Raw, edited = false): ContentOutcome {
  if (row.target_author === null || row.target_author === undefined) return { outcome: "not_found" };
  if (edited && row.target_author === me && row.id === null) return { outcome: "not_found" };
  return row.target_author === me ? { outcome: "done" } : { outcome: "forbidden" };
}

export function postgresCallerContentStore(connection: Connection, identity: CallerIdentity): CallerContentStore {
  const me = identity.id;
  const writes = contentWrites(connection, identity);
  return {
    ...contentReads(connection, callerFrame(identity)),

    async createPost(post, now) {
      const row = await writes.createPost(post, now);
      const caller = callerOf(row);
      return { caller, post: postRow(row, caller.username) };
    },

    async updatePost(id, changes, now) {
      const row = await writes.updatePost(id, changes, now);
      const caller = callerOf(row);
      const outcome = outcomeOf(me, row, true);
      return outcome.outcome === "done" ? { caller, outcome: "done", post: postRow(row, caller.username) } : { caller, ...outcome };
    },

    async deletePost(id) {
      const row = await writes.deletePost(id);
      return { caller: callerOf(row), ...outcomeOf(me, row) };
    },

    async createComment(postId, content, now) {
      const row = await writes.createComment(postId, content, now);
      const caller = callerOf(row);
      return { caller, comment: row.id === null ? undefined : commentRow(row, caller.username) };
    },

    async updateComment(id, changes, now) {
      const row = await writes.updateComment(id, changes, now);
      const caller = callerOf(row);
      const outcome = outcomeOf(me, row, true);
      return outcome.outcome === "done" ? { caller, outcome: "done", comment: commentRow(row, caller.username) } : { caller, ...outcome };
    },

    async deleteComment(id) {
      const row = await writes.deleteComment(id);
      return { caller: callerOf(row), ...outcomeOf(me, row) };
    },

    async like(postId, now) {
      const row = await writes.like(postId, now);
      const caller = callerOf(row);
      if (row.visible !== true) return { caller, outcome: "not_found", likesCount: 0 };
      return { caller, outcome: row.changed === true ? "liked" : "already", likesCount: row.likes_count as number };
    },

    async unlike(postId) {
      const row = await writes.unlike(postId);
      const caller = callerOf(row);
      if (row.visible !== true) return { caller, outcome: "not_found", likesCount: 0 };
      return { caller, outcome: row.changed === true ? "unliked" : "not_liked", likesCount: row.likes_count as number };
    },
  };
}
