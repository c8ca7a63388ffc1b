/**
 * OPTIONS on the social routes: DRF's metadata (name, description, renders, parses, and for the
 * methods with a body `actions` with each field), built from the schemas that validate the
 * bodies, as for the account routes (http.test.ts), with `Allow` naming the path's methods.
 */
import { describe, expect, it } from "vitest";
import { call, signedInUser } from "./helpers";
import { publish } from "./content";
import { SOCIAL_ROUTES } from "./social-routes";

const PARSES = ["application/json", "application/x-www-form-urlencoded", "multipart/form-data"];

/** DRF's metadata of a view; `actions` only for views with a body. */
const metadata = (name: string, extra: { description?: string; actions?: Record<string, unknown> } = {}) => ({
  name,
  description: extra.description ?? "",
  renders: ["application/json"],
  parses: PARSES,
  ...(extra.actions ? { actions: extra.actions } : {}),
});

/** A CharField: what SimpleMetadata says of it. */
const text = (label: string, max_length: number, required = true) => ({ type: "string", required, read_only: false, label, max_length, min_length: 1 });

/** OPTIONS on `path`, with and without its trailing slash, with and without credentials: one answer. */
async function options(path: string, token?: string) {
  const answers = [await call("OPTIONS", path), await call("OPTIONS", path.replace(/\/$/, "")), await call("OPTIONS", path, { token })];
  for (const answer of answers.slice(1)) {
    expect(answer.status, path).toBe(answers[0]!.status);
    expect(answer.headers.get("Allow"), path).toBe(answers[0]!.headers.get("Allow"));
    expect(answer.body, path).toEqual(answers[0]!.body);
  }
  return answers[0]!;
}

describe("OPTIONS on the posts routes", () => {
  it("describes the list, one post and a user's posts, with the post body's fields", async () => {
    const alice = await signedInUser();
    const post = await publish(alice);
    const list = await options("/api/posts/", alice.access);
    expect(list.status).toBe(200);
    expect(list.headers.get("Allow")).toBe("GET, HEAD, POST, OPTIONS");
    expect(list.body).toEqual(
      metadata("Posts, newest first (search, author filter)", { actions: { POST: { title: text("Title", 255), content: text("Content", 10000) } } }),
    );

    const one = await options(`/api/posts/${post.id}/`, alice.access);
    expect(one.status).toBe(200);
    expect(one.headers.get("Allow")).toBe("GET, HEAD, PUT, PATCH, DELETE, OPTIONS");
    expect(one.body).toEqual(
      metadata("One post", {
        actions: {
          PUT: { title: text("Title", 255), content: text("Content", 10000) },
          PATCH: { title: text("Title", 255, false), content: text("Content", 10000, false) },
        },
      }),
    );

    const ofUser = await options(`/api/users/${alice.id}/posts/`, alice.access);
    expect(ofUser.status).toBe(200);
    expect(ofUser.headers.get("Allow")).toBe("GET, HEAD, OPTIONS");
    expect(ofUser.body).toEqual(metadata("A user's posts, newest first"));
  });
});

describe("OPTIONS on the comments routes", () => {
  it("describes a post's comments, the flat list and one comment, with their bodies' fields", async () => {
    const alice = await signedInUser();
    const post = await publish(alice);
    const content = text("Content", 2000);
    const ofPost = await options(`/api/posts/${post.id}/comments/`, alice.access);
    expect(ofPost.status).toBe(200);
    expect(ofPost.headers.get("Allow")).toBe("GET, HEAD, POST, OPTIONS");
    expect(ofPost.body).toEqual(metadata("A post's comments, newest first", { actions: { POST: { content } } }));

    const flat = await options("/api/comments/", alice.access);
    expect(flat.headers.get("Allow")).toBe("GET, HEAD, POST, OPTIONS");
    expect(flat.body).toEqual(
      metadata("Comments, newest first: a post's (?post=), or every one the reader may see", {
        // DRF's PrimaryKeyRelatedField is a "field".
        actions: { POST: { post: { type: "field", required: true, read_only: false, label: "Post" }, content } },
      }),
    );

    const one = await options("/api/comments/1/", alice.access);
    expect(one.headers.get("Allow")).toBe("GET, HEAD, PUT, PATCH, DELETE, OPTIONS");
    expect(one.body).toEqual(metadata("One comment", { actions: { PUT: { content }, PATCH: { content: { ...content, required: false } } } }));
  });
});

describe("OPTIONS on the likes routes", () => {
  it("describes like and unlike, which take no body", async () => {
    const alice = await signedInUser();
    const post = await publish(alice);
    const like = await options(`/api/posts/${post.id}/like/`, alice.access);
    expect(like.status).toBe(200);
    expect(like.headers.get("Allow")).toBe("POST, OPTIONS");
    expect(like.body).toEqual(metadata("Like a post (once; your own too)"));
    const unlike = await options(`/api/posts/${post.id}/unlike/`, alice.access);
    expect(unlike.headers.get("Allow")).toBe("POST, OPTIONS");
    expect(unlike.body).toEqual(metadata("Take a like back"));
    // Nothing was liked.
    expect((await call("GET", `/api/posts/${post.id}/`, { token: alice.access })).body).toMatchObject({ likes_count: 0, liked: false });
  });
});

describe("OPTIONS on the feed", () => {
  it("describes the feed with its description", async () => {
    const alice = await signedInUser();
    const feed = await options("/api/feed/", alice.access);
    expect(feed.status).toBe(200);
    expect(feed.headers.get("Allow")).toBe("GET, HEAD, OPTIONS");
    expect(feed.body).toEqual(
      metadata("Posts of the users the caller follows (not their own), less muted and blocked users, newest first", {
        description:
          "A new post reaches its author's followers' feeds within seconds (fanned out by a queue; the posts of authors with FEED_PULL_THRESHOLD followers or more are read from their own index instead). Unfollowing, muting or blocking hides an author's posts at once.",
      }),
    );
  });
});

describe("OPTIONS on the notifications routes", () => {
  it("describes the list, read, read-all and the unread count", async () => {
    const alice = await signedInUser();
    const list = await options("/api/notifications/", alice.access);
    expect(list.status).toBe(200);
    expect(list.headers.get("Allow")).toBe("GET, HEAD, OPTIONS");
    expect(list.body).toEqual(
      metadata("The caller's notifications, unread first then newest (actors the caller mutes or shares a block with left out)", {
        description:
          "Cursor-paginated. A page reads a bounded number of the caller's notifications: where hidden ones (of muted or blocked actors) fill that many, the page is shorter, possibly empty, and its `next` link goes on past them.",
      }),
    );
    const read = await options("/api/notifications/1/read/", alice.access);
    expect(read.headers.get("Allow")).toBe("POST, OPTIONS");
    expect(read.body).toEqual(metadata("Mark one of the caller's notifications read (idempotent)"));
    const readAll = await options("/api/notifications/read-all/", alice.access);
    expect(readAll.headers.get("Allow")).toBe("POST, OPTIONS");
    expect(readAll.body).toEqual(metadata("Mark every notification of the caller read"));
    const unread = await options("/api/notifications/unread-count/", alice.access);
    expect(unread.headers.get("Allow")).toBe("GET, HEAD, OPTIONS");
    expect(unread.body).toEqual(metadata("How many unread notifications the list shows (an app's badge)"));
  });
});

describe("OPTIONS on the blocks, mutes and relationships routes", () => {
  it("describes block, unblock, mute, unmute, the two lists and relationships (not taken for a user's id)", async () => {
    const [alice, bob] = [await signedInUser(), await signedInUser()];
    const names = {
      block: "Block a user (idempotent): ends the follows both ways; while it stands neither side sees the other's posts and comments, nor can follow",
      unblock: "Unblock a user (idempotent); no follow comes back",
      mute: "Mute a user (idempotent): their posts leave the caller's feed, their notifications the caller's list",
      unmute: "Unmute a user (idempotent)",
    };
    for (const [action, name] of Object.entries(names)) {
      const answer = await options(`/api/users/${bob.id}/${action}/`, alice.access);
      expect(answer.status, action).toBe(200);
      expect(answer.headers.get("Allow"), action).toBe("POST, OPTIONS");
      expect(answer.body, action).toEqual(metadata(name));
    }
    for (const kind of ["blocks", "mutes"]) {
      const answer = await options(`/api/auth/${kind}/`, alice.access);
      expect(answer.headers.get("Allow"), kind).toBe("GET, HEAD, OPTIONS");
      expect(answer.body, kind).toEqual(metadata(`The users the caller ${kind}, latest first`));
    }
    const relationships = await options("/api/users/relationships/", alice.access);
    expect(relationships.headers.get("Allow")).toBe("GET, HEAD, OPTIONS");
    expect(relationships.body).toEqual(metadata("The caller's relationships with up to 40 users: one per known id, in the order asked, repeats once"));
    // Nothing changed: alice neither blocks nor mutes bob.
    const after = await call("GET", `/api/users/relationships/?id=${bob.id}`, { token: alice.access });
    expect(after.body).toEqual({ results: [{ id: bob.id, following: false, followed_by: false, blocking: false, blocked_by: false, muting: false }] });
  });
});

describe("OPTIONS on every route of the Social section", () => {
  it("answers 200 with Allow naming the path's methods of the contract", async () => {
    const methods = new Map<string, Set<string>>();
    for (const route of SOCIAL_ROUTES) methods.set(route.path, (methods.get(route.path) ?? new Set()).add(route.method.toUpperCase()));
    const order = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"];
    for (const [path, declared] of methods) {
      if (declared.has("GET")) declared.add("HEAD");
      const answer = await call("OPTIONS", path.replaceAll("{id}", "1"));
      expect(answer.status, path).toBe(200);
      expect(answer.headers.get("Allow"), path).toBe([...order.filter((method) => declared.has(method)), "OPTIONS"].join(", "));
      expect(Object.keys(answer.body), path).toEqual(expect.arrayContaining(["name", "description", "renders", "parses"]));
    }
  });
});
