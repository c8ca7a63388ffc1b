/**
 * Decides which of the Django posts, comments, likes and notifications to import (./read-social.ts
 * read them), for either engine: ids kept; every value checked as this service would take it (a
 * positive integer id, text within the API's limits and without NUL, a readable time); a row
 * whose user or post is not imported, a duplicate, or one whose id is another row's here is
 * skipped and counted by reason. A notification gets the `cause` this service gives its own
 * (`follow:<actor>:<recipient>`, `like:<actor>:<post>`, `comment:<comment>`: see
 * src/store/d1/social-schema.ts), and only while what caused it is imported too, as the service
 * deletes a notification with its cause. Rows come out in the D1 schema's representation.
 */
import { djangoTime } from "./read";
import type { DjangoSocial, SocialKind, SocialRow } from "./read-social";

export type Row = Record<string, string | number | boolean | null>;

/** What is here already, in the id ranges of the Django rows (a re-run finds its own work). */
export interface ExistingSocial {
  posts: Map<number, number>;
  comments: Map<number, { postId: number; authorId: number }>;
}

export interface SocialPlan {
  rows: Record<SocialKind, Row[]>;
  /** Rows found already imported (same id, same owner): left as they are. */
  alreadyThere: Record<"posts" | "comments", number>;
  /** Why rows were skipped, and how many for each reason. */
  skipped: Record<SocialKind, Map<string, number>>;
}

const LIMITS = { title: 255, content: 10_000, comment: 2_000 };

/** A reason a row is skipped. */
class Skip {
  constructor(readonly reason: string) {}
}

const skip = (reason: string): never => {
  throw new Skip(reason);
};

function idOf(value: unknown, what = "an id"): number {
  const id = typeof value === "string" && /^[0-9]{1,15}$/.test(value) ? Number(value) : value;
  if (typeof id !== "number" || !Number.isSafeInteger(id) || id < 1) skip(`${what} that is not a positive integer`);
  return id as number;
}

/** Text as the API would take it: at most `max` code points (as Python counts), no NUL (PostgreSQL's text holds none). */
function textOf(value: unknown, field: string, max: number): string {
  if (value === null || value === undefined) skip(`no ${field}`);
  const text = typeof value === "number" ? String(value) : value;
  if (typeof text !== "string") skip(`a ${field} that is not text`);
  if ((text as string).includes("\u0000")) skip(`a NUL character in its ${field}`);
  if ([...(text as string)].length > max) skip(`a ${field} over ${max} characters`);
  return text as string;
}

function timeOf(value: unknown, field: string, fallback?: number): number {
  if ((value === null || value === undefined) && fallback !== undefined) return fallback;
  try {
    const time = djangoTime(value);
    if (time !== null && Number.isFinite(time)) return time;
  } catch {
    // Unreadable: skipped below.
  }
  return skip(`an unreadable ${field}`);
}

const VERBS: [RegExp, "follow" | "like" | "comment"][] = [
  [/follow/i, "follow"],
  [/comment/i, "comment"],
  [/like/i, "like"],
];

/** A plan of no social rows. */
export const noSocial = (): SocialPlan => ({
  rows: { posts: [], comments: [], likes: [], notifications: [] },
  alreadyThere: { posts: 0, comments: 0 },
  skipped: { posts: new Map(), comments: new Map(), likes: new Map(), notifications: new Map() },
});

/**
 * Plans the social rows whose users are in `present` (imported now or before); `follows` are the
 * follows imported (`<follower>:<followee>`), which a follow notification needs.
 */
export function planSocial(social: DjangoSocial, present: Set<number>, follows: Set<string>, existing: ExistingSocial, now = Date.now()): SocialPlan {
  const plan = noSocial();
  /** Runs `check` on each row of `kind`: a row it returns is imported, a `Skip` counted. */
  const each = (kind: SocialKind, check: (row: SocialRow) => Row | undefined) => {
    for (const row of social[kind]) {
      try {
        const planned = check(row);
        if (planned) plan.rows[kind].push(planned);
      } catch (error) {
        if (!(error instanceof Skip)) throw error;
        plan.skipped[kind].set(error.reason, (plan.skipped[kind].get(error.reason) ?? 0) + 1);
      }
    }
  };
  /** A user id of the row (`who`: "author", "user"...), who must be imported. */
  const user = (value: unknown, who: string) => {
    const id = idOf(value, `a ${who} id`);
    if (!present.has(id)) skip(`its ${who} was not imported`);
    return id;
  };

  /** Posts here after the import: id -> author. */
  const posts = new Map<number, number>();
  const seenPosts = new Set<number>();
  each("posts", (row) => {
    const id = idOf(row.id);
    if (seenPosts.has(id)) skip("a duplicate id");
    seenPosts.add(id);
    const author = user(row.author, "author");
    const title = row.title === undefined ? "" : textOf(row.title, "title", LIMITS.title);
    const content = textOf(row.content, "content", LIMITS.content);
    const created = timeOf(row.created, "creation time");
    const updated = timeOf(row.updated, "update time", created);
    const here = existing.posts.get(id);
    if (here !== undefined && here !== author) skip("an id another post has here");
    posts.set(id, author);
    if (here !== undefined) {
      plan.alreadyThere.posts += 1;
      return undefined;
    }
    return { id, author_id: author, title, content, created_at: created, updated_at: updated };
  });
  const postOf = (value: unknown) => {
    const id = idOf(value, "a post id");
    if (!posts.has(id)) skip("its post was not imported");
    return id;
  };

  /** Comments here after the import: id -> its post, author, time; and by post and author (`<post>:<author>`), oldest first. */
  const comments = new Map<number, { postId: number; authorId: number; created: number }>();
  const threads = new Map<string, { id: number; created: number }[]>();
  const seenComments = new Set<number>();
  each("comments", (row) => {
    const id = idOf(row.id);
    if (seenComments.has(id)) skip("a duplicate id");
    seenComments.add(id);
    const postId = postOf(row.post);
    const author = user(row.author, "author");
    const content = textOf(row.content, "content", LIMITS.comment);
    const created = timeOf(row.created, "creation time");
    const updated = timeOf(row.updated, "update time", created);
    const here = existing.comments.get(id);
    if (here !== undefined && (here.postId !== postId || here.authorId !== author)) skip("an id another comment has here");
    comments.set(id, { postId, authorId: author, created });
    threads.set(`${postId}:${author}`, [...(threads.get(`${postId}:${author}`) ?? []), { id, created }]);
    if (here !== undefined) {
      plan.alreadyThere.comments += 1;
      return undefined;
    }
    return { id, post_id: postId, author_id: author, content, created_at: created, updated_at: updated };
  });

  /** Likes after the import (`<user>:<post>`), and the post of each Django like id (a notification may point at a like). */
  const likes = new Set<string>();
  const likedPost = new Map<number, number>();
  each("likes", (row) => {
    const id = row.id === undefined ? undefined : idOf(row.id);
    const userId = user(row.user, "user");
    const postId = postOf(row.post);
    if (likes.has(`${userId}:${postId}`)) skip("a duplicate (the same user and post)");
    likes.add(`${userId}:${postId}`);
    if (id !== undefined) likedPost.set(id, postId);
    return { ...(id === undefined ? {} : { id }), user_id: userId, post_id: postId, created_at: timeOf(row.created, "creation time", now) };
  });

  const causes = new Set<string>();
  const seenNotifications = new Set<number>();
  /** The model each generic or plain foreign key of a notification points at, with the id. */
  const references = (row: SocialRow) => {
    const refs = new Map<string, unknown>();
    const add = (model: string | undefined, id: unknown) => {
      if (model && id !== null && id !== undefined && !refs.has(model)) refs.set(model, id);
    };
    add("post", row.post);
    add("comment", row.comment);
    for (const [type, id] of [[row.targetType, row.targetId], [row.actionType, row.actionId]]) {
      if (type !== null && type !== undefined) add(social.contentTypes.get(Number(type)), id);
    }
    return refs;
  };
  /** The actor's comment a comment notification stands for: the one it names, or their latest on the post at its time (else their first there) not yet claimed. */
  const commentFor = (refs: Map<string, unknown>, actor: number, at: number): number => {
    if (refs.has("comment")) {
      const id = idOf(refs.get("comment"), "a comment id");
      if (!comments.has(id)) skip("its comment was not imported");
      if (comments.get(id)!.authorId !== actor) skip("a comment of another user than its actor");
      return id;
    }
    const postId = refs.has("post") ? postOf(refs.get("post")) : skip("no post or comment it is about");
    const theirs = (threads.get(`${postId}:${actor}`) ?? []).filter((made) => !causes.has(`comment:${made.id}`)).sort((a, b) => a.created - b.created || a.id - b.id);
    const match = theirs.filter((made) => made.created <= at).at(-1) ?? theirs[0];
    return match ? match.id : skip("its comment was not imported");
  };
  each("notifications", (row) => {
    const id = idOf(row.id);
    if (seenNotifications.has(id)) skip("a duplicate id");
    seenNotifications.add(id);
    const recipient = user(row.recipient, "recipient");
    const actor = user(row.actor, "actor");
    if (recipient === actor) skip("a notification of the user's own act");
    const verb = typeof row.verb === "string" ? row.verb : "";
    const kind = VERBS.find(([pattern]) => pattern.test(verb))?.[1] ?? skip("a verb other than a follow, a like or a comment");
    const created = timeOf(row.created, "time", now);
    const read = row.read !== undefined && row.read !== null ? Boolean(row.read) : row.unread !== undefined && row.unread !== null ? !row.unread : false;
    const refs = references(row);
    let postId: number | null = null;
    let commentId: number | null = null;
    let cause: string;
    if (kind === "follow") {
      if (!follows.has(`${actor}:${recipient}`)) skip("its follow was not imported (or is gone)");
      cause = `follow:${actor}:${recipient}`;
    } else if (kind === "like") {
      postId = refs.has("post")
        ? postOf(refs.get("post"))
        : refs.has("like") && likedPost.has(Number(refs.get("like")))
          ? likedPost.get(Number(refs.get("like")))!
          : skip("no post it is about");
      if (!likes.has(`${actor}:${postId}`)) skip("its like was not imported (or is gone)");
      cause = `like:${actor}:${postId}`;
    } else {
      commentId = commentFor(refs, actor, created);
      postId = comments.get(commentId)!.postId;
      cause = `comment:${commentId}`;
    }
    if (postId !== null && posts.get(postId) !== recipient) skip("a recipient other than the post's author");
    if (causes.has(cause)) skip("a duplicate (the same follow, like or comment)");
    causes.add(cause);
    return { id, recipient_id: recipient, actor_id: actor, kind, post_id: postId, comment_id: commentId, cause, read, created_at: created };
  });
  return plan;
}

/** The lowest and highest of the ids of `rows` that are positive integers (for reading what is here in that range). */
export function idRange(rows: SocialRow[]): [number, number] | undefined {
  let range: [number, number] | undefined;
  for (const row of rows) {
    const id = typeof row.id === "string" ? Number(row.id) : row.id;
    if (typeof id !== "number" || !Number.isSafeInteger(id) || id < 1) continue;
    range = range ? [Math.min(range[0], id), Math.max(range[1], id)] : [id, id];
  }
  return range;
}

/** The skip counts of one kind, for the report: `its author was not imported (2), a title over 255 characters (1)`. */
export function describeSkips(skipped: Map<string, number>): string {
  return [...skipped].map(([reason, count]) => `${reason} (${count})`).join(", ");
}
