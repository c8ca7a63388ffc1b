/** The social tables on PostgreSQL: the same tables and columns as D1's (src/store/d1/social-schema.ts), in PostgreSQL's types. */
import { sql } from "drizzle-orm";
import { bigint, boolean, check, index, integer, pgTable, primaryKey, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import { users } from "./schema";

const moment = (name: string) => timestamp(name, { withTimezone: true, precision: 3, mode: "date" });
const identity = (name: string) => bigint(name, { mode: "number" }).primaryKey().generatedByDefaultAsIdentity();
const userRef = (name: string) =>
  bigint(name, { mode: "number" })
    .notNull()
    .references(() => users.id, { onDelete: "cascade" });

export const posts = pgTable(
  "posts",
  {
    id: identity("id"),
    authorId: userRef("author_id"),
    title: text("title").notNull(),
    content: text("content").notNull(),
    createdAt: moment("created_at").notNull(),
    updatedAt: moment("updated_at").notNull(),
    likesCount: integer("likes_count").notNull().default(0),
    commentsCount: integer("comments_count").notNull().default(0),
  },
  (t) => [index("posts_author_newest").on(t.authorId, t.id)],
);

export const comments = pgTable(
  "comments",
  {
    id: identity("id"),
    postId: bigint("post_id", { mode: "number" })
      .notNull()
      .references(() => posts.id, { onDelete: "cascade" }),
    authorId: userRef("author_id"),
    content: text("content").notNull(),
    createdAt: moment("created_at").notNull(),
    updatedAt: moment("updated_at").notNull(),
  },
  (t) => [index("comments_post_newest").on(t.postId, t.id), index("comments_author_newest").on(t.authorId, t.id)],
);

export const likes = pgTable(
  "likes",
  {
    id: identity("id"),
    userId: userRef("user_id"),
    postId: bigint("post_id", { mode: "number" })
      .notNull()
      .references(() => posts.id, { onDelete: "cascade" }),
    createdAt: moment("created_at").notNull(),
  },
  (t) => [uniqueIndex("likes_pair").on(t.userId, t.postId), index("likes_post").on(t.postId)],
);

export const feedEntries = pgTable(
  "feed_entries",
  {
    ownerId: userRef("owner_id"),
    postId: bigint("post_id", { mode: "number" })
      .notNull()
      .references(() => posts.id, { onDelete: "cascade" }),
    // No foreign key: the post's (cascade) already removes an author's entries with their posts,
    // and a key on users would make every user's deletion scan this, the largest table.
    authorId: bigint("author_id", { mode: "number" }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.ownerId, t.postId] }), index("feed_entries_owner_author").on(t.ownerId, t.authorId), index("feed_entries_post").on(t.postId)],
);

export const notifications = pgTable(
  "notifications",
  {
    id: identity("id"),
    recipientId: userRef("recipient_id"),
    actorId: userRef("actor_id"),
    kind: text("kind", { enum: ["follow", "like", "comment"] }).notNull(),
    postId: bigint("post_id", { mode: "number" }).references(() => posts.id, { onDelete: "cascade" }),
    commentId: bigint("comment_id", { mode: "number" }).references(() => comments.id, { onDelete: "cascade" }),
    cause: text("cause").notNull(),
    read: boolean("read").notNull().default(false),
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

export const blocks = pgTable(
  "blocks",
  {
    id: identity("id"),
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

export const mutes = pgTable(
  "mutes",
  {
    id: identity("id"),
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
