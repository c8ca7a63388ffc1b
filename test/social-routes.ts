/**
 * The routes of API.md's "Social" section (its route table, and the flat `/api/comments/` of
 * "Comments"), as the OpenAPI document writes them: what the document, OPTIONS and the docs tests
 * walk. Each with the answers the contract gives it: the success (status and body schema), and
 * every status it may answer.
 */
export interface SocialRoute {
  method: "get" | "post" | "put" | "patch" | "delete";
  path: string;
  tag: "posts" | "comments" | "likes" | "feed" | "notifications" | "relations";
  /** `bearer`: credentials needed; `optional`: anyone, a caller seen as the caller. */
  security: "bearer" | "optional";
  /** The success status and its body's schema (null: no body). */
  success: [number, string | null];
  /** Every status of the operation, success included. */
  statuses: number[];
  /** Its 400 is `{"detail"}` only (a refusal, not field errors: "You have already liked this post."). */
  detail400?: true;
}

// Every operation: 405 on its path with another method, 500 on a fault; 401 for a bad token
// (optional bearer) or none (bearer). Bodies: 400, 413, 415.
const ANY = [401, 405, 500];
const BODY = [400, 413, 415];

export const SOCIAL_ROUTES: SocialRoute[] = [
  { method: "get", path: "/api/posts/", tag: "posts", security: "optional", success: [200, "PostPage"], statuses: [200, 400, 404, ...ANY] },
  { method: "post", path: "/api/posts/", tag: "posts", security: "bearer", success: [201, "Post"], statuses: [201, ...BODY, ...ANY] },
  { method: "get", path: "/api/posts/{id}/", tag: "posts", security: "optional", success: [200, "Post"], statuses: [200, 404, ...ANY] },
  { method: "put", path: "/api/posts/{id}/", tag: "posts", security: "bearer", success: [200, "Post"], statuses: [200, 403, 404, ...BODY, ...ANY] },
  { method: "patch", path: "/api/posts/{id}/", tag: "posts", security: "bearer", success: [200, "Post"], statuses: [200, 403, 404, ...BODY, ...ANY] },
  { method: "delete", path: "/api/posts/{id}/", tag: "posts", security: "bearer", success: [204, null], statuses: [204, 403, 404, ...ANY] },
  { method: "get", path: "/api/users/{id}/posts/", tag: "posts", security: "optional", success: [200, "PostPage"], statuses: [200, 404, ...ANY] },
  { method: "get", path: "/api/posts/{id}/comments/", tag: "comments", security: "optional", success: [200, "CommentPage"], statuses: [200, 404, ...ANY] },
  { method: "post", path: "/api/posts/{id}/comments/", tag: "comments", security: "bearer", success: [201, "Comment"], statuses: [201, 404, ...BODY, ...ANY] },
  { method: "get", path: "/api/comments/", tag: "comments", security: "optional", success: [200, "CommentPage"], statuses: [200, 400, 404, ...ANY] },
  { method: "post", path: "/api/comments/", tag: "comments", security: "bearer", success: [201, "Comment"], statuses: [201, ...BODY, ...ANY] },
  { method: "get", path: "/api/comments/{id}/", tag: "comments", security: "optional", success: [200, "Comment"], statuses: [200, 404, ...ANY] },
  { method: "put", path: "/api/comments/{id}/", tag: "comments", security: "bearer", success: [200, "Comment"], statuses: [200, 403, 404, ...BODY, ...ANY] },
  { method: "patch", path: "/api/comments/{id}/", tag: "comments", security: "bearer", success: [200, "Comment"], statuses: [200, 403, 404, ...BODY, ...ANY] },
  { method: "delete", path: "/api/comments/{id}/", tag: "comments", security: "bearer", success: [204, null], statuses: [204, 403, 404, ...ANY] },
  { method: "post", path: "/api/posts/{id}/like/", tag: "likes", security: "bearer", success: [201, "LikeResult"], statuses: [201, 400, 404, ...ANY], detail400: true },
  { method: "post", path: "/api/posts/{id}/unlike/", tag: "likes", security: "bearer", success: [200, "LikeResult"], statuses: [200, 400, 404, ...ANY], detail400: true },
  { method: "get", path: "/api/feed/", tag: "feed", security: "bearer", success: [200, "PostPage"], statuses: [200, 404, ...ANY] },
  { method: "get", path: "/api/notifications/", tag: "notifications", security: "bearer", success: [200, "NotificationPage"], statuses: [200, 404, ...ANY] },
  { method: "post", path: "/api/notifications/{id}/read/", tag: "notifications", security: "bearer", success: [200, "Notification"], statuses: [200, 404, ...ANY] },
  { method: "post", path: "/api/notifications/read-all/", tag: "notifications", security: "bearer", success: [200, "Detail"], statuses: [200, ...ANY] },
  { method: "get", path: "/api/notifications/unread-count/", tag: "notifications", security: "bearer", success: [200, "UnreadCount"], statuses: [200, ...ANY] },
  ...(["block", "unblock", "mute", "unmute"] as const).map(
    (action): SocialRoute => ({ method: "post", path: `/api/users/{id}/${action}/`, tag: "relations", security: "bearer", success: [200, "Relationship"], statuses: [200, 400, 404, ...ANY], detail400: true }),
  ),
  ...(["blocks", "mutes"] as const).map(
    (kind): SocialRoute => ({ method: "get", path: `/api/auth/${kind}/`, tag: "relations", security: "bearer", success: [200, "PublicUserPage"], statuses: [200, 404, ...ANY] }),
  ),
  { method: "get", path: "/api/users/relationships/", tag: "relations", security: "bearer", success: [200, "RelationshipList"], statuses: [200, 400, ...ANY] },
];
