/** The social tables on D1 (API.md "Social"): posts, comments, likes, the feed, notifications, blocks and mutes. */
import { sql } from "drizzle-orm";
import { check, index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { users } from "./schema";

const moment = (name: string) => integer(name, { mode: "timestamp_ms" });
const userRef = (name: string) =>
  integer(name)
    .notNull()
    .references(() => users.id, { onDelete: "cascade" });

export const posts = sqliteTable(
  "posts",
  {
    // AUTOINCREMENT: ids only grow, so an id is also the "newest first" cursor and is never reused.
    id: integer("id").primaryKey({ autoIncrement: true }),
    authorId: userRef("author_id"),
    title: text("title").notNull(),
    content: text("content").notNull(),
    createdAt: moment("created_at").notNull(),
    /** Moves only on the author's edits. */
    updatedAt: moment("updated_at").notNull(),
    likesCount: integer("likes_count").notNull().default(0),
    commentsCount: integer("comments_count").notNull().default(0),
  },
  (t) => [index("posts_author_newest").on(t.authorId, t.id)],
);

export const comments = sqliteTable(
  "comments",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    postId: integer("post_id")
      .notNull()
      .references(() => posts.id, { onDelete: "cascade" }),
    authorId: userRef("author_id"),
    content: text("content").notNull(),
    createdAt: moment("created_at").notNull(),
    updatedAt: moment("updated_at").notNull(),
  },
  (t) => [index("comments_post_newest").on(t.postId, t.id), index("comments_author_newest").on(t.authorId, t.id)],
);

/** One like per user and post. */
export const likes = sqliteTable(
  "likes",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    userId: userRef("user_id"),
    postId: integer("post_id")
      .notNull()
      .references(() => posts.id, { onDelete: "cascade" }),
    createdAt: moment("created_at").notNull(),
  },
  (t) => [uniqueIndex("likes_pair").on(t.userId, t.postId), index("likes_post").on(t.postId)],
);

/**
 * The fanned-out feed: a row per (reader, post) for posts of authors whose posts are pushed (not
 * `feed_pull`), written by the queue consumer; a page is a range of the primary key.
 */
export const feedEntries = sqliteTable(
  "feed_entries",
  {
    ownerId: userRef("owner_id"),
    postId: integer("post_id")
      .notNull()
      .references(() => posts.id, { onDelete: "cascade" }),
    // No foreign key: the post's (cascade) already removes an author's entries with their posts,
    // and a key on users would make every user's deletion scan this, the largest table.
    authorId: integer("author_id").notNull(),
  },
  (t) => [primaryKey({ columns: [t.ownerId, t.postId] }), index("feed_entries_owner_author").on(t.ownerId, t.authorId), index("feed_entries_post").on(t.postId)],
);

/**
 * `cause` names what created a notification (`follow:<actor>:<recipient>`, `like:<actor>:<post>`,
 * `comment:<comment>`): unique, so a repeat never piles up, and what undoing it deletes.
 */
export const notifications = sqliteTable(
  "notifications",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    recipientId: userRef("recipient_id"),
    actorId: userRef("actor_id"),
    kind: text("kind", { enum: ["follow", "like", "comment"] }).notNull(),
    postId: integer("post_id").references(() => posts.id, { onDelete: "cascade" }),
    commentId: integer("comment_id").references(() => comments.id, { onDelete: "cascade" }),
    cause: text("cause").notNull(),
    read: integer("read", { mode: "boolean" }).notNull().default(false),
    createdAt: moment("created_at").notNull(),
  },
  // Each foreign key has an index: deleting a post, a comment or a user finds its notifications by it.
  (t) => [
    uniqueIndex("notifications_cause").on(t.cause),
    index("notifications_inbox").on(t.recipientId, t.read, t.id),
    index("notifications_actor").on(t.actorId),
    index("notifications_post").on(t.postId),
    index("notifications_comment").on(t.commentId),
  ],
);

export const blocks = sqliteTable(
  "blocks",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    blockerId: userRef("blocker_id"),
    blockedId: userRef("blocked_id"),
    createdAt: moment("created_at").notNull(),
  },
  (t) => [
    uniqueIndex("blocks_pair").on(t.blockerId, t.blockedId),
    index("blocks_blocked").on(t.blockedId, t.blockerId),
    index("blocks_blocker_newest").on(t.blockerId, t.id),
    check("blocks_not_self", sql`${t.blockerId} <> ${t.blockedId}`),
  ],
);

export const mutes = sqliteTable(
  "mutes",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    muterId: userRef("muter_id"),
    mutedId: userRef("muted_id"),
    createdAt: moment("created_at").notNull(),
  },
  (t) => [
    uniqueIndex("mutes_pair").on(t.muterId, t.mutedId),
    index("mutes_muter_newest").on(t.muterId, t.id),
    index("mutes_muted").on(t.mutedId),
    check("mutes_not_self", sql`${t.muterId} <> ${t.mutedId}`),
  ],
);
