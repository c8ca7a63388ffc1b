/**
 * The social part of the store: posts, comments, likes, the feed, notifications, blocks and mutes
 * (API.md "Social"). Reads take the viewer into account when there is one: the caller's own
 * `liked` flags, and nothing of a user the viewer shares a block with (either way); anonymous
 * reads (the public `Store.content`) see everything and like nothing.
 */
import type { Guarded } from "./store";
import type { UserRow } from "./rows";

/** A position in a newest-first list: after (`forward`) or before `id`. */
export interface ListCursor {
  id: number;
  forward: boolean;
}

export interface PostRow {
  id: number;
  authorId: number;
  /** The author's username. */
  author: string;
  title: string;
  content: string;
  createdAt: Date;
  updatedAt: Date;
  likesCount: number;
  commentsCount: number;
  /** Whether the viewer likes it (false without a viewer). */
  liked: boolean;
}

export interface CommentRow {
  id: number;
  postId: number;
  authorId: number;
  author: string;
  content: string;
  createdAt: Date;
  updatedAt: Date;
}

/** A list entry: its cursor position (the row's id) and the row. */
export interface Entry<T> {
  position: number;
  row: T;
}

/** `/api/posts/` filters: every search term must occur (case-insensitively, literally) in the title or the content. */
export interface PostFilter {
  terms?: string[];
  authorId?: number;
}

export type PostChanges = Partial<Pick<PostRow, "title" | "content">>;
export type CommentChanges = Partial<Pick<CommentRow, "content">>;

/** Content reads, as the viewer (or nobody) sees them. Pages are `limit + 1` entries in the cursor's direction. */
export interface ContentReads {
  /** `authorKnown` is false when `filter.authorId` names no user (DRF's 400). */
  postsPage(filter: PostFilter, cursor: ListCursor | undefined, limit: number): Promise<{ authorKnown: boolean; entries: Entry<PostRow>[] }>;
  /** A user's posts; `userExists` tells a 404 (a user hidden by a block still exists: their list is empty). */
  userPostsPage(userId: number, cursor: ListCursor | undefined, limit: number): Promise<{ userExists: boolean; entries: Entry<PostRow>[] }>;
  post(id: number): Promise<{ post?: PostRow }>;
  /**
   * A post's comments, newest first; `postVisible` tells a 404 (unknown, or hidden by a block).
   * Without a post (`GET /api/comments/`): every comment the viewer can see, newest first.
   * A comment is hidden from a viewer who shares a block with its author or with its post's author.
   */
  commentsPage(postId: number | undefined, cursor: ListCursor | undefined, limit: number): Promise<{ postVisible: boolean; entries: Entry<CommentRow>[] }>;
  comment(id: number): Promise<{ comment?: CommentRow }>;
}

/** The same reads through the caller's guard. */
export type CallerContentReads = {
  [K in keyof ContentReads]: ContentReads[K] extends (...args: infer A) => Promise<infer T> ? (...args: A) => Promise<Guarded<T>> : never;
};

/** What a write on someone's content found: done, no such thing (or hidden by a block), or not the caller's. */
export type ContentOutcome<T = object> = ({ outcome: "done" } & T) | { outcome: "not_found" } | { outcome: "forbidden" };

export interface CallerContentStore extends CallerContentReads {
  createPost(post: { title: string; content: string }, now: number): Promise<Guarded<{ post: PostRow }>>;
  /** The author's edit (`updated_at` moves, as Django's auto_now does on every save, even with no change). */
  updatePost(id: number, changes: PostChanges, now: number): Promise<Guarded<ContentOutcome<{ post: PostRow }>>>;
  /** Deletes the author's post with its comments, likes, feed entries and the notifications about them. */
  deletePost(id: number): Promise<Guarded<ContentOutcome>>;
  /** A comment under a post the caller can see; notifies the post's author (not for one's own post). */
  createComment(postId: number, content: string, now: number): Promise<Guarded<{ comment?: CommentRow }>>;
  /** The author's edit (`updated_at` moves, as Django's auto_now does on every save, even with no change). */
  updateComment(id: number, changes: CommentChanges, now: number): Promise<Guarded<ContentOutcome<{ comment: CommentRow }>>>;
  /** Deletes the author's comment and the notification it caused; the post's comments_count moves with it. */
  deleteComment(id: number): Promise<Guarded<ContentOutcome>>;
  /** One like per user and post; `likesCount` after the change. `already`: nothing changed. */
  like(postId: number, now: number): Promise<Guarded<{ outcome: "liked" | "already" | "not_found"; likesCount: number }>>;
  unlike(postId: number): Promise<Guarded<{ outcome: "unliked" | "not_liked" | "not_found"; likesCount: number }>>;
}

export interface CallerFeedStore {
  /** Posts of the users the caller follows (not their own), less muted and blocked users, newest first. */
  page(cursor: ListCursor | undefined, limit: number): Promise<Guarded<{ entries: Entry<PostRow>[] }>>;
}

export type NotificationKind = "follow" | "like" | "comment";

export interface NotificationRow {
  id: number;
  actor: UserRow;
  /** Whether the caller follows the actor (the actor's `<public user>`). */
  actorFollowed: boolean;
  kind: NotificationKind;
  postId: number | null;
  read: boolean;
  createdAt: Date;
}

export interface CallerNotificationStore {
  /**
   * Unread first, then newest; the position orders both (unread above every read one: ./inbox.ts).
   * Leaves out actors muted or sharing a block. `limit + 1` entries in the cursor's direction, or
   * fewer with a `frontier`: the position the page's bounded read of hidden rows reached, where
   * the next page in that direction goes on (more may follow).
   */
  page(cursor: ListCursor | undefined, limit: number): Promise<Guarded<{ entries: Entry<NotificationRow>[]; frontier?: number }>>;
  /** Marks one of the caller's notifications read (idempotent); none when it is another's or unknown. */
  markRead(id: number): Promise<Guarded<{ notification?: NotificationRow }>>;
  markAllRead(): Promise<Guarded>;
  /** Over the same list as `page`. */
  unreadCount(): Promise<Guarded<{ count: number }>>;
}

/** One of the caller's likes, as the export lists it. */
export interface LikeRow {
  postId: number;
  createdAt: Date;
}

/**
 * The caller's own social data for the export (API.md "Account deletion and export"), whole:
 * nothing is left out for a block or a mute (it is the caller's). Keyset pages of `limit + 1`
 * entries after the position `after` (from the start without one), each one read: a page costs
 * the same wherever it is in the list, so the export streams any amount in bounded memory.
 * (The caller's posts, blocks and mutes come from `content.userPostsPage` and `relations.page`.)
 */
export interface CallerExportStore {
  /** The caller's comments, newest first (comments_author_newest), wherever they are. */
  comments(after: number | undefined, limit: number): Promise<Guarded<{ entries: Entry<CommentRow>[] }>>;
  /** The caller's likes by post, newest post first (likes_pair); the position is the post's id. */
  likes(after: number | undefined, limit: number): Promise<Guarded<{ entries: Entry<LikeRow>[] }>>;
  /** Every notification to the caller, in the list's order (unread first, then newest: ./inbox.ts), muted or blocked actors' too. */
  notifications(after: number | undefined, limit: number): Promise<Guarded<{ entries: Entry<NotificationRow>[] }>>;
}

/** The caller's relationship with one user. */
export interface RelationshipRow {
  id: number;
  following: boolean;
  followedBy: boolean;
  blocking: boolean;
  blockedBy: boolean;
  muting: boolean;
}

/** A user in a list of the caller's blocks or mutes (newest first by the block or mute). */
export interface RelatedUser {
  user: UserRow;
  isFollowing: boolean;
}

export interface CallerRelationStore {
  /**
   * Idempotent. Block ends the follows both ways (both users' counters, the follows' notifications,
   * in one transaction) and answers the target's relationship after the change, and whether their
   * posts are pulled (the feed's work: no backfill of a pull author); none when there is no such user.
   */
  change(action: "block" | "unblock" | "mute" | "unmute", targetId: number, now: number): Promise<Guarded<{ relationship?: RelationshipRow; feedPull?: boolean }>>;
  page(kind: "blocks" | "mutes", cursor: ListCursor | undefined, limit: number): Promise<Guarded<{ entries: Entry<RelatedUser>[] }>>;
  /** One per known id, in the order asked, repeats once, unknown left out. */
  relationships(ids: number[]): Promise<Guarded<{ relationships: RelationshipRow[] }>>;
}

/** A unit of feed work, carried by the queue (FEED_QUEUE); `after` continues a chunked job. */
export type FeedJob =
  /** Fan a new post out to its author's followers' feeds. */
  | { kind: "fan_out"; postId: number; after?: number }
  /** An author became a pull author: mark their follows `pull`. */
  | { kind: "promote"; authorId: number; after?: number }
  /** A follow: the followee's posts into the follower's feed. */
  | { kind: "backfill"; ownerId: number; authorId: number; after?: number }
  /** Unfollow, mute or block: the author's entries out of the owner's feed. */
  | { kind: "purge"; ownerId: number; authorId: number };

/** The queue consumer's work: each call does one bounded chunk and answers the job that continues it, if any. */
export interface FeedWorkStore {
  run(job: FeedJob, chunk: number, now: number): Promise<{ next?: FeedJob }>;
}
