/**
 * Deleting a user whole (account deletion, an admin's deletion): every other user's counter that
 * one of their follows moved, their follows both ways, their likes and comments with the
 * likes_count and comments_count of the posts they were on, their sessions, their known addresses
 * and the row, in one statement that runs inside a transaction after `lockUserForDeletion` has
 * locked the user's row and the rows of everyone it follows or is followed by, FOR UPDATE, in id
 * order. The row's foreign keys cascade to the rest: their posts (with those posts' comments,
 * likes, feed entries and notifications), their feed, the notifications to or from them, their
 * blocks and mutes both ways.
 *
 * Why the locks first, at READ COMMITTED: the counters are moved by what this statement sees, and
 * a statement's snapshot is taken when it starts, so a follow committed while it ran would be
 * deleted by the cascade without its counter moving back. Every follow and unfollow of this user
 * locks its row (./follows.ts) and so waits for these locks, or they for it: a follow that got
 * there first commits before this statement's snapshot, which then sees it and moves its counter
 * back; one that comes later finds no such user. The rows are locked in id order, as a follow
 * locks its two, so the two never wait on each other in a cycle (a follow racing in between the
 * lock's snapshot and this statement can still close one: the server then rolls one back, and it
 * runs again, ./transactions.ts).
 *
 * Likes and comments need no more locks. Their posts' counters move by the rows this statement's
 * own DELETEs return, as an unlike's do (./content-writes.ts): an unlike or a comment's deletion
 * by the user that commits first leaves its row for neither to count twice (a DELETE waits for
 * it, then skips the row), and one that comes later finds the row gone. A new like or comment by
 * the user checks its foreign key on the user's row, locked here: it commits before this
 * statement's snapshot (which sees it) or fails its key once the user is gone, and its retry then
 * finds no caller. The posts' UPDATE re-reads each row's newest version, so no other user's like
 * or comment meanwhile is lost. Each table but users is modified once by this statement (the
 * cascades are not statements of it: see docs/SCALING.md on CockroachDB).
 */
import { type SQL, sql } from "drizzle-orm";
import type { CallerIdentity, EndedSession } from "../index";
import type { Database } from "./client";
import { CALLER_COLUMNS, CALLER_FROM, guardCtes } from "./guard";
import { type Raw, endedJson, endedSessions } from "./mapping";

export interface Deleted {
  deleted?: { profilePicture: string | null };
  ended: EndedSession[];
}

/**
 * SQL: a CTE (`locked_users`: id, is_active) that locks, when `when` holds, user `id`'s row and its
 * follows' other users' rows, FOR UPDATE (a follow's foreign-key check, KEY SHARE, waits too).
 */
export const lockUserForDeletion = (id: number, when: SQL) =>
  sql`locked_users as (
    select id, is_active from users
    where id in (
      select ${id}::bigint union select followee_id from follows where follower_id = ${id}::bigint
      union select follower_id from follows where followee_id = ${id}::bigint
    ) and ${when}
    order by id for update
  )`;

/**
 * Deletes user `id` whole (after `lockUserForDeletion`, in the same transaction, as a statement of
 * its own), when `when` holds (SQL over the guard's CTEs, read again in this statement's snapshot:
 * a session ended while the locks were awaited is seen). The row has the caller's columns.
 */
export async function deleteUserWhole(db: Database, id: number, identity: CallerIdentity, when: SQL): Promise<Deleted & { row: Raw }> {
  const victim = sql`${id}::bigint`;
  const { rows } = await db.execute<Raw>(sql`
    with ${guardCtes(identity)},
    moved as (
      update users o set
        followers_count = o.followers_count - (case when exists (select 1 from follows f where f.follower_id = ${victim} and f.followee_id = o.id) then 1 else 0 end),
        following_count = o.following_count - (case when exists (select 1 from follows f where f.followee_id = ${victim} and f.follower_id = o.id) then 1 else 0 end)
      where o.id <> ${victim} and ${when} and o.id in (
        select followee_id from follows where follower_id = ${victim} union select follower_id from follows where followee_id = ${victim}
      )
      returning o.id
    ),
    edges as (delete from follows where (follower_id = ${victim} or followee_id = ${victim}) and ${when} returning id),
    unliked as (delete from likes where user_id = ${victim} and ${when} returning post_id),
    uncommented as (delete from comments where author_id = ${victim} and ${when} returning post_id),
    gave as (
      select post_id, sum(liked) as likes, sum(commented) as comments from (
        select post_id, 1 as liked, 0 as commented from unliked union all select post_id, 0, 1 from uncommented
      ) given group by post_id
    ),
    recounted as (
      update posts p set likes_count = p.likes_count - g.likes, comments_count = p.comments_count - g.comments
      from gave g where p.id = g.post_id and p.author_id <> ${victim}
      returning p.id
    ),
    addresses as (delete from known_addresses where user_id = ${victim} and ${when} returning address),
    sessions as (delete from token_families where user_id = ${victim} and ${when} returning id, expires_at),
    gone as (delete from users where id = ${victim} and ${when} returning profile_picture)
    -- Every data-modifying CTE runs, read or not.
    select ${CALLER_COLUMNS}, (select count(*) from gone) as deleted, (select profile_picture from gone) as profile_picture,
      ${endedJson(sql`sessions`)} as ended
    from ${CALLER_FROM}
  `);
  const [row] = rows as [Raw];
  return { row, ...(row.deleted === 1 ? { deleted: { profilePicture: row.profile_picture as string | null } } : {}), ended: endedSessions(row.ended) };
}
