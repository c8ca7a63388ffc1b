/**
 * `import-django` of the course's posts, comments, likes and notifications: the shared fixture's
 * users and follows, with the course's `posts_post`, `posts_comment`, `posts_like`,
 * `notifications_notification` and `django_content_type` tables added (good rows and bad ones),
 * imported into each engine and checked through the Worker's HTTP API.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import initSqlJs from "sql.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ENGINES, type EngineUnderTest, startEngine } from "./engines";
import { request } from "./local-worker";

const FIXTURE = "test/fixtures/django-social-media-api.sqlite3";
const PASSWORDS = { alice: "wonderland-42", bob: "builder-can-we-fix-it", carol: "christmas-carol-1843", root: "admin-of-the-realm-9" };
const [ALICE, BOB, CAROL, DAVE, ROOT] = [1, 2, 3, 4, 5];
const LONG_TITLE = "t".repeat(256);
const SQL_TEXT = `Robert'); DROP TABLE posts; -- "quoted" \\ back`;
const at = (time: string) => `2026-11-24 ${time}`;
const iso = (time: string) => `2026-11-24T${time.slice(0, 12)}Z`;

/** The fixture with the course's social tables, in a temporary file. */
async function socialFixture(): Promise<string> {
  const SQL = await initSqlJs();
  const db = new SQL.Database(readFileSync(FIXTURE));
  db.run(`
    create table posts_post (id integer primary key autoincrement, title varchar(255) not null, content text not null, created_at datetime not null, updated_at datetime not null, author_id bigint not null);
    create table posts_comment (id integer primary key autoincrement, content text not null, created_at datetime not null, updated_at datetime not null, author_id bigint not null, post_id bigint not null);
    create table posts_like (id integer primary key autoincrement, created_at datetime not null, post_id bigint not null, user_id bigint not null);
    create table notifications_notification (id integer primary key autoincrement, verb varchar(255) not null, target_object_id integer unsigned, timestamp datetime not null,
      read bool not null, actor_id bigint not null, recipient_id bigint not null, target_content_type_id integer);
    insert into django_content_type (id, app_label, model) values (9, 'posts', 'post'), (10, 'posts', 'comment'), (11, 'posts', 'like');
  `);
  const insert = (table: string, rows: unknown[][]) => {
    const statement = db.prepare(`insert into ${table} values (${rows[0]!.map(() => "?").join(", ")})`);
    for (const row of rows) statement.run(row as never);
    statement.free();
  };
  insert("posts_post", [
    [10, "Hello", "Alice's first post.", at("10:00:00.123456"), at("10:00:00.123456"), ALICE],
    [11, "Bob's news", "Building things.", at("10:05:00"), at("11:00:00.5"), BOB],
    [12, "Carol's", "A carol.", at("10:10:00"), at("10:10:00"), CAROL],
    [13, "Nobody's", "Its author is not in the file.", at("10:11:00"), at("10:11:00"), 99],
    [14, LONG_TITLE, "Too long a title.", at("10:12:00"), at("10:12:00"), ALICE],
    [15, "Dave's", "Inactive, still imported.", at("10:13:00"), at("10:13:00"), DAVE],
    [16, "O'Brien's \"quoted\" post", SQL_TEXT, at("10:14:00"), at("10:14:00"), ALICE],
    [17, "When?", "An unreadable time.", "yesterday", "yesterday", BOB],
  ]);
  insert("posts_comment", [
    [20, "Nice", at("10:20:00"), at("10:20:00"), BOB, 10],
    [21, "Agreed", at("10:21:00"), at("10:21:00"), CAROL, 10],
    [22, "Thanks Bob", at("10:22:00"), at("10:22:00"), ALICE, 11],
    [23, "On a post not imported", at("10:23:00"), at("10:23:00"), BOB, 13],
    [24, "On no post at all", at("10:24:00"), at("10:24:00"), CAROL, 999],
    [25, "c".repeat(2001), at("10:25:00"), at("10:25:00"), ALICE, 10],
    [26, "Replying to all", at("10:26:00"), at("10:27:00"), ALICE, 10],
  ]);
  insert("posts_like", [
    [30, at("10:30:00"), 10, BOB],
    [31, at("10:31:00"), 10, CAROL],
    [32, at("10:32:00"), 11, ALICE],
    [33, at("10:33:00"), 10, BOB],
    [34, at("10:34:00"), 10, 99],
    [35, at("10:35:00"), 10, ALICE],
  ]);
  // id, verb, target_object_id, timestamp, read, actor_id, recipient_id, target_content_type_id
  insert("notifications_notification", [
    [40, "liked your post", 10, at("10:30:00"), 0, BOB, ALICE, 9],
    [41, "commented on your post", 10, at("10:21:00"), 0, CAROL, ALICE, 9],
    [42, "commented on your post", 22, at("10:22:00"), 0, ALICE, BOB, 10],
    [43, "started following you", null, at("09:00:00"), 1, BOB, ALICE, null],
    [44, "followed you", null, at("09:01:00"), 0, ROOT, BOB, null],
    [45, "followed you", null, at("09:02:00"), 0, BOB, CAROL, null],
    [46, "liked your post", 10, at("10:33:00"), 0, BOB, ALICE, 9],
    [47, "liked your post", 10, at("10:35:00"), 0, ALICE, ALICE, 9],
    [48, "mentioned you", 10, at("10:36:00"), 0, BOB, ALICE, 9],
    [49, "liked your post", 10, at("10:31:00"), 0, CAROL, BOB, 9],
    [50, "commented on your post", 10, at("10:20:00"), 0, BOB, ALICE, 9],
  ]);
  const path = join(mkdtempSync(join(tmpdir(), "django-social-")), "db.sqlite3");
  writeFileSync(path, db.export());
  db.close();
  return path;
}

describe.each(ENGINES)("npm run import-django of posts, comments, likes and notifications on %s", (name) => {
  let engine: EngineUnderTest;
  let path: string;
  let report: string;
  beforeAll(async () => {
    path = await socialFixture();
    engine = await startEngine(name);
  });
  afterAll(async () => {
    rmSync(dirname(path), { recursive: true, force: true });
    await engine?.stop();
  });
  const api = (method: string, route: string, body?: unknown, token?: string) => request(`${engine.worker.url}${route}`, method, body, token);
  const login = async (username: keyof typeof PASSWORDS) => {
    const response = await api("POST", "/api/auth/login/", { username, password: PASSWORDS[username] });
    expect(response.status, username).toBe(200);
    return response.body.access as string;
  };

  it("imports them, skipping and counting the bad rows, and says so", async () => {
    const run = await engine.run("import-django", [path]);
    expect(run.status, run.stderr).toBe(0);
    report = run.stdout;
    expect(report).toContain('Read 8 posts from "posts_post", 7 comments from "posts_comment", 6 likes from "posts_like", 11 notifications from "notifications_notification".');
    expect(report).toContain("Imported 5 users: alice, bob, carol, dave, root.");
    expect(report).toContain(
      "Imported 5 posts (0 were already there), 4 comments (0 were already there), 4 likes (0 were already there), 6 notifications (0 were already there); post counters recomputed; imported posts put in their authors' followers' feeds.",
    );
    expect(report).toContain("Skipped 3 posts: its author was not imported (1), a title over 255 characters (1), an unreadable creation time (1).");
    expect(report).toContain("Skipped 3 comments: its post was not imported (2), a content over 2000 characters (1).");
    expect(report).toContain("Skipped 2 likes: a duplicate (the same user and post) (1), its user was not imported (1).");
    expect(report).toContain(
      "Skipped 5 notifications: its follow was not imported (or is gone) (1), a duplicate (the same follow, like or comment) (1), a notification of the user's own act (1), a verb other than a follow, a like or a comment (1), a recipient other than the post's author (1).",
    );
  });

  it("keeps ids, authors, texts (quotes and SQL as text), times, the read flag and each notification's cause, with counters from the rows", async () => {
    expect(await engine.rows("SELECT id, author_id, title, content, created_at, updated_at, likes_count, comments_count FROM posts ORDER BY id")).toEqual([
      { id: 10, author_id: ALICE, title: "Hello", content: "Alice's first post.", created_at: Date.parse(iso("10:00:00.123")), updated_at: Date.parse(iso("10:00:00.123")), likes_count: 3, comments_count: 3 },
      { id: 11, author_id: BOB, title: "Bob's news", content: "Building things.", created_at: Date.parse(iso("10:05:00.000")), updated_at: Date.parse(iso("11:00:00.500")), likes_count: 1, comments_count: 1 },
      { id: 12, author_id: CAROL, title: "Carol's", content: "A carol.", created_at: Date.parse(iso("10:10:00.000")), updated_at: Date.parse(iso("10:10:00.000")), likes_count: 0, comments_count: 0 },
      { id: 15, author_id: DAVE, title: "Dave's", content: "Inactive, still imported.", created_at: Date.parse(iso("10:13:00.000")), updated_at: Date.parse(iso("10:13:00.000")), likes_count: 0, comments_count: 0 },
      { id: 16, author_id: ALICE, title: "O'Brien's \"quoted\" post", content: SQL_TEXT, created_at: Date.parse(iso("10:14:00.000")), updated_at: Date.parse(iso("10:14:00.000")), likes_count: 0, comments_count: 0 },
    ]);
    expect(await engine.rows("SELECT id, post_id, author_id FROM comments ORDER BY id")).toEqual([
      { id: 20, post_id: 10, author_id: BOB },
      { id: 21, post_id: 10, author_id: CAROL },
      { id: 22, post_id: 11, author_id: ALICE },
      { id: 26, post_id: 10, author_id: ALICE },
    ]);
    expect(await engine.rows("SELECT id, user_id, post_id, created_at FROM likes ORDER BY id")).toEqual([
      { id: 30, user_id: BOB, post_id: 10, created_at: Date.parse(iso("10:30:00.000")) },
      { id: 31, user_id: CAROL, post_id: 10, created_at: Date.parse(iso("10:31:00.000")) },
      { id: 32, user_id: ALICE, post_id: 11, created_at: Date.parse(iso("10:32:00.000")) },
      { id: 35, user_id: ALICE, post_id: 10, created_at: Date.parse(iso("10:35:00.000")) },
    ]);
    expect(await engine.rows("SELECT id, recipient_id, actor_id, kind, post_id, comment_id, cause, read FROM notifications ORDER BY id")).toEqual([
      { id: 40, recipient_id: ALICE, actor_id: BOB, kind: "like", post_id: 10, comment_id: null, cause: `like:${BOB}:10`, read: 0 },
      { id: 41, recipient_id: ALICE, actor_id: CAROL, kind: "comment", post_id: 10, comment_id: 21, cause: "comment:21", read: 0 },
      { id: 42, recipient_id: BOB, actor_id: ALICE, kind: "comment", post_id: 11, comment_id: 22, cause: "comment:22", read: 0 },
      { id: 43, recipient_id: ALICE, actor_id: BOB, kind: "follow", post_id: null, comment_id: null, cause: `follow:${BOB}:${ALICE}`, read: 1 },
      { id: 44, recipient_id: BOB, actor_id: ROOT, kind: "follow", post_id: null, comment_id: null, cause: `follow:${ROOT}:${BOB}`, read: 0 },
      { id: 50, recipient_id: ALICE, actor_id: BOB, kind: "comment", post_id: 10, comment_id: 20, cause: "comment:20", read: 0 },
    ]);
    // Each imported post is in its author's followers' feeds (Alice's followers: Bob, Carol, Dave; Bob's: Alice, root; Carol's: Alice).
    expect(await engine.rows("SELECT owner_id, post_id, author_id FROM feed_entries ORDER BY owner_id, post_id")).toEqual([
      { owner_id: ALICE, post_id: 11, author_id: BOB },
      { owner_id: ALICE, post_id: 12, author_id: CAROL },
      { owner_id: BOB, post_id: 10, author_id: ALICE },
      { owner_id: BOB, post_id: 16, author_id: ALICE },
      { owner_id: CAROL, post_id: 10, author_id: ALICE },
      { owner_id: CAROL, post_id: 16, author_id: ALICE },
      { owner_id: DAVE, post_id: 10, author_id: ALICE },
      { owner_id: DAVE, post_id: 16, author_id: ALICE },
      { owner_id: ROOT, post_id: 11, author_id: BOB },
    ]);
  });

  it("serves them: the posts list, a post's comments and likes_count, the feed and the notifications", async () => {
    const post = (id: number, author: string, authorId: number, title: string, content: string, created: string, updated: string, extra: Record<string, unknown> = {}) => ({
      id, author, author_id: authorId, title, content, created_at: iso(created), updated_at: iso(updated), likes_count: 0, comments_count: 0, liked: false, ...extra,
    });
    const posts = {
      10: post(10, "alice", ALICE, "Hello", "Alice's first post.", "10:00:00.123", "10:00:00.123", { likes_count: 3, comments_count: 3 }),
      11: post(11, "bob", BOB, "Bob's news", "Building things.", "10:05:00.000", "11:00:00.500", { likes_count: 1, comments_count: 1 }),
      12: post(12, "carol", CAROL, "Carol's", "A carol.", "10:10:00.000", "10:10:00.000"),
      15: post(15, "dave", DAVE, "Dave's", "Inactive, still imported.", "10:13:00.000", "10:13:00.000"),
      16: post(16, "alice", ALICE, "O'Brien's \"quoted\" post", SQL_TEXT, "10:14:00.000", "10:14:00.000"),
    };
    const list = await api("GET", "/api/posts/");
    expect(list.status).toBe(200);
    expect(list.body).toEqual({ next: null, previous: null, results: [posts[16], posts[15], posts[12], posts[11], posts[10]] });

    const comments = await api("GET", "/api/posts/10/comments/");
    expect(comments.status).toBe(200);
    const made = (id: number, author: string, authorId: number, content: string, created: string, updated = created) => ({
      id, post: 10, author, author_id: authorId, content, created_at: iso(created), updated_at: iso(updated),
    });
    expect(comments.body).toEqual({
      next: null,
      previous: null,
      results: [made(26, "alice", ALICE, "Replying to all", "10:26:00.000", "10:27:00.000"), made(21, "carol", CAROL, "Agreed", "10:21:00.000"), made(20, "bob", BOB, "Nice", "10:20:00.000")],
    });

    const bob = await login("bob");
    const seen = await api("GET", "/api/posts/10/", undefined, bob);
    expect(seen.status).toBe(200);
    expect(seen.body).toEqual({ ...posts[10], liked: true });
    const feed = await api("GET", "/api/feed/", undefined, bob);
    expect(feed.status).toBe(200);
    expect(feed.body).toEqual({ next: null, previous: null, results: [posts[16], { ...posts[10], liked: true }] });

    const alice = await login("alice");
    const inbox = await api("GET", "/api/notifications/", undefined, alice);
    expect(inbox.status).toBe(200);
    const bobSeen = { id: BOB, username: "bob", bio: null, profile_picture: `${engine.worker.url}/media/profile_pics/bob.png`, followers_count: 2, following_count: 1, is_following: true };
    const carolSeen = { id: CAROL, username: "carol", bio: "Hashed like Django 5.2.", profile_picture: null, followers_count: 1, following_count: 1, is_following: true };
    const onPost10 = { type: "post", id: 10 };
    // Unread first, then newest (by id: the ids were kept).
    expect(inbox.body).toEqual({
      next: null,
      previous: null,
      results: [
        { id: 50, actor: bobSeen, verb: "commented on your post", target: onPost10, read: false, timestamp: iso("10:20:00.000") },
        { id: 41, actor: carolSeen, verb: "commented on your post", target: onPost10, read: false, timestamp: iso("10:21:00.000") },
        { id: 40, actor: bobSeen, verb: "liked your post", target: onPost10, read: false, timestamp: iso("10:30:00.000") },
        { id: 43, actor: bobSeen, verb: "followed you", target: null, read: true, timestamp: iso("09:00:00.000") },
      ],
    });
    expect((await api("GET", "/api/notifications/unread-count/", undefined, alice)).body).toEqual({ unread_count: 3 });
  });

  it("is safe to re-run: nothing imported twice, counters and feeds as they were", async () => {
    const state = async () => ({
      posts: await engine.rows("SELECT id, likes_count, comments_count FROM posts ORDER BY id"),
      counts: await engine.rows(
        "SELECT (SELECT count(*) FROM comments) AS comments, (SELECT count(*) FROM likes) AS likes, (SELECT count(*) FROM notifications) AS notifications, (SELECT count(*) FROM feed_entries) AS feed",
      ),
    });
    const before = await state();
    expect(before.counts).toEqual([{ comments: 4, likes: 4, notifications: 6, feed: 9 }]);
    const run = await engine.run("import-django", [path]);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain("Imported 0 users: none.");
    expect(run.stdout).toContain(
      "Imported 0 posts (5 were already there), 0 comments (4 were already there), 0 likes (4 were already there), 0 notifications (6 were already there); post counters recomputed; imported posts put in their authors' followers' feeds.",
    );
    expect(run.stdout).toContain("Skipped 3 posts: its author was not imported (1), a title over 255 characters (1), an unreadable creation time (1).");
    expect(await state()).toEqual(before);
  });

  it("behaves as the service's own rows: an unlike and a comment's deletion remove their imported notifications, and new rows get fresh ids", async () => {
    const bob = await login("bob");
    expect(await api("POST", "/api/posts/10/unlike/", undefined, bob)).toMatchObject({ status: 200, body: { detail: "Post unliked.", likes_count: 2 } });
    expect((await api("DELETE", "/api/comments/20/", undefined, bob)).status).toBe(204);
    expect(await engine.rows("SELECT id FROM notifications WHERE id IN (40, 50)")).toEqual([]);
    expect(await engine.rows("SELECT likes_count, comments_count FROM posts WHERE id = 10")).toEqual([{ likes_count: 2, comments_count: 2 }]);
    // The identity sequences (PostgreSQL) and AUTOINCREMENT (D1) moved past the imported ids.
    const created = await api("POST", "/api/posts/", { title: "After the import", content: "Fresh." }, bob);
    expect(created.status).toBe(201);
    expect(created.body.id).toBe(17);
    const reply = await api("POST", "/api/posts/10/comments/", { content: "Back again" }, bob);
    expect(reply).toMatchObject({ status: 201, body: { id: 27, post: 10 } });
    expect(await api("POST", "/api/posts/10/like/", undefined, bob)).toMatchObject({ status: 201, body: { detail: "Post liked.", likes_count: 3 } });
    expect(await engine.rows("SELECT id FROM likes WHERE user_id = 2 AND post_id = 10")).toEqual([{ id: 36 }]);
    expect(await engine.rows("SELECT id, cause FROM notifications WHERE id > 50 ORDER BY id")).toEqual([
      { id: 51, cause: "comment:27" },
      { id: 52, cause: `like:${BOB}:10` },
    ]);
  });
});
