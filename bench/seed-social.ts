/**
 * The benchmark's social data, written beside the users and follows of ./seed.ts (same ids on both
 * engines): the caller follows AUTHORS fans whose posts are fanned out (their feed entries written
 * directly, as the queue would have, like bench/capacity-feed.ts), a post of the caller's with
 * likes and comments of fans (and their notifications to the caller), and the posts the like +
 * unlike row takes in turn, slot k liked by 2k fans (an answer's likes_count names its post).
 */
import type pg from "pg";

/** Fans (ids from FIRST_FAN, as ./seed.ts numbers them) who post, and whom the caller follows. */
const AUTHORS = 100;
const POSTS_PER_AUTHOR = 100;
const FEED_POSTS = AUTHORS * POSTS_PER_AUTHOR;
/** The like + unlike row's posts: one per connection, at most this many connections. */
export const LIKE_SLOTS = 64;
/** Likes and comments of fans on the caller's post. */
const REACTIONS = 100;

export interface SocialCast {
  /** A feed author (the user's-posts page). */
  author: number;
  /** The caller's post: REACTIONS likes and comments, whose notifications fill the caller's list. */
  callersPost: number;
  /** The like + unlike row's posts, slot k with 2k likes. */
  likeSlots: number[];
  posts: number;
  feedEntries: number;
  comments: number;
  notifications: number;
}

/** Which posts and users the rows use, given the first fan's id. */
export function socialCast(firstFan: number): SocialCast {
  return {
    author: firstFan,
    callersPost: FEED_POSTS + LIKE_SLOTS + 1,
    likeSlots: Array.from({ length: LIKE_SLOTS }, (_, k) => FEED_POSTS + 1 + k),
    posts: FEED_POSTS + LIKE_SLOTS + 1,
    feedEntries: FEED_POSTS,
    comments: REACTIONS,
    notifications: 2 * REACTIONS,
  };
}

interface Ids {
  caller: number;
  slotAuthor: number;
  firstFan: number;
}

/**
 * The statements, in a dialect both engines take, from `series(name, first, last)`: a derived
 * table of integers `name` (D1: a recursive CTE; PostgreSQL: generate_series), and `time(ms)`: a
 * timestamp (D1: milliseconds; PostgreSQL: timestamptz); `unread`: the `read` column's false.
 */
function statements(ids: Ids, now: number, series: (name: string, first: number, last: number) => string, time: (ms: string) => string, unread: string): string[] {
  const { caller, slotAuthor, firstFan } = ids;
  const cast = socialCast(firstFan);
  const start = now - (cast.posts + 1) * 1000;
  const at = (id: string) => time(`${start} + ${id} * 1000`);
  const slotsFrom = cast.likeSlots[0]!;
  return [
    // The feed authors' posts, interleaved (each author's every AUTHORS-th), oldest first.
    `insert into posts (id, author_id, title, content, created_at, updated_at, likes_count, comments_count)
       select i, ${firstFan} + (i - 1) % ${AUTHORS}, 'Post number ' || i, 'The text of post ' || i || ': a sentence or two, about as long as most status updates are.', ${at("i")}, ${at("i")}, 0, 0
       from ${series("i", 1, FEED_POSTS)}`,
    `insert into follows (follower_id, followee_id, created_at) select ${caller}, ${firstFan} + j, ${time(String(now))} from ${series("j", 0, AUTHORS - 1)}`,
    `insert into feed_entries (owner_id, post_id, author_id) select ${caller}, id, author_id from posts where id <= ${FEED_POSTS}`,
    // The like row's posts: slot k liked by 2k fans (notifications of their likes to the slots' author).
    `insert into posts (id, author_id, title, content, created_at, updated_at, likes_count, comments_count)
       select ${slotsFrom} + k, ${slotAuthor}, 'Liked and unliked', 'A post the benchmark likes and unlikes.', ${at(`${slotsFrom} + k`)}, ${at(`${slotsFrom} + k`)}, 2 * k, 0
       from ${series("k", 0, LIKE_SLOTS - 1)}`,
    `insert into likes (user_id, post_id, created_at)
       select ${firstFan} + m, ${slotsFrom} + k, ${time(String(now))} from ${series("k", 0, LIKE_SLOTS - 1)} cross join ${series("m", 0, 2 * LIKE_SLOTS - 1)} where m < 2 * k`,
    // The caller's post, its likes and comments, and their notifications to the caller.
    `insert into posts (id, author_id, title, content, created_at, updated_at, likes_count, comments_count)
       values (${cast.callersPost}, ${caller}, 'The caller''s post', 'Liked and commented on by fans.', ${at(String(cast.callersPost))}, ${at(String(cast.callersPost))}, ${REACTIONS}, ${REACTIONS})`,
    `insert into likes (user_id, post_id, created_at) select ${firstFan} + m, ${cast.callersPost}, ${time(String(now))} from ${series("m", 0, REACTIONS - 1)}`,
    `insert into comments (id, post_id, author_id, content, created_at, updated_at)
       select c, ${cast.callersPost}, ${firstFan} + c - 1, 'Comment number ' || c, ${time(`${now} + c`)}, ${time(`${now} + c`)} from ${series("c", 1, REACTIONS)}`,
    `insert into notifications (recipient_id, actor_id, kind, post_id, comment_id, cause, read, created_at)
       select p.author_id, l.user_id, 'like', l.post_id, null, 'like:' || l.user_id || ':' || l.post_id, ${unread}, l.created_at from likes l join posts p on p.id = l.post_id order by l.id`,
    `insert into notifications (recipient_id, actor_id, kind, post_id, comment_id, cause, read, created_at)
       select ${caller}, author_id, 'comment', post_id, id, 'comment:' || id, ${unread}, created_at from comments order by id`,
  ];
}

/** D1's statements (run before ./seed.ts recounts the follow counters). */
export function socialSql(ids: Ids, now: number): string {
  const series = (name: string, first: number, last: number) =>
    `(with recursive s(${name}) as (select ${first} union all select ${name} + 1 from s where ${name} < ${last}) select ${name} from s)`;
  return statements(ids, now, series, (ms) => `(${ms})`, "0").map((statement) => `${statement};`).join("\n");
}

/** PostgreSQL's, in the seeding transaction (before the counters are recounted); the sequences move past the ids given. */
export async function seedSocialPostgres(client: pg.Client, ids: Ids, now: number): Promise<void> {
  const series = (name: string, first: number, last: number) => `generate_series(${first}, ${last}) as ${name}`;
  for (const statement of statements(ids, now, series, (ms) => `to_timestamp((${ms})::double precision / 1000)`, "false")) await client.query(statement);
  for (const table of ["posts", "likes", "comments", "notifications"]) {
    await client.query(`select setval(pg_get_serial_sequence('${table}', 'id'), (select max(id) from ${table}))`);
  }
}
