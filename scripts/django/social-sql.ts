/** import-django's SQL for both engines (SQLite's and PostgreSQL's dialects agree on it): counts, counters, the feed. */

/** The rows of each table the import writes, in one row. */
export const COUNTS =
  "SELECT (SELECT count(*) FROM follows) AS follows, (SELECT count(*) FROM posts) AS posts, (SELECT count(*) FROM comments) AS comments, (SELECT count(*) FROM likes) AS likes, (SELECT count(*) FROM notifications) AS notifications";

export type Counts = Record<"follows" | "posts" | "comments" | "likes" | "notifications", number>;

/** The posts' counters, from the rows. */
export const RECOUNT_POSTS =
  "UPDATE posts SET likes_count = (SELECT count(*) FROM likes WHERE post_id = posts.id), comments_count = (SELECT count(*) FROM comments WHERE post_id = posts.id)";

/**
 * The imported posts (`which`: a condition on `p.id`) into their authors' followers' feeds, as the
 * queue's fan-out puts a new post there (src/store/d1/feed-work.ts): each follower who does not
 * mute the author (imported follows and authors are not `pull`: pushed, as any new author's).
 */
export const fanOut = (which: string) =>
  `INSERT INTO feed_entries (owner_id, post_id, author_id)
   SELECT f.follower_id, p.id, p.author_id FROM posts p JOIN users a ON a.id = p.author_id JOIN follows f ON f.followee_id = p.author_id
   WHERE ${which} AND NOT a.feed_pull AND NOT f.pull
     AND NOT EXISTS (SELECT 1 FROM mutes m WHERE m.muter_id = f.follower_id AND m.muted_id = p.author_id)
   ON CONFLICT DO NOTHING`;
