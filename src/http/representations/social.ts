/** The JSON shapes of a notification and a relationship (API.md "Notifications", "Blocks, mutes, relationships"). */
import { z } from "zod";
import type { NotificationKind, NotificationRow, RelationshipRow } from "../../store";
import { publicUserSchema } from "./user-schemas";
import { publicUserOf } from "./users";

const VERBS: Record<NotificationKind, string> = {
  follow: "followed you",
  like: "liked your post",
  comment: "commented on your post",
};

export const notificationSchema = z
  .object({
    id: z.number().int(),
    actor: publicUserSchema,
    verb: z.enum(["followed you", "liked your post", "commented on your post"]),
    target: z.object({ type: z.literal("post"), id: z.number().int() }).nullable().meta({ description: "The post, or null for a follow." }),
    read: z.boolean(),
    timestamp: z.string().meta({ format: "date-time" }),
  })
  .meta({ id: "Notification" });

const link = z.string().nullable().meta({ format: "uri" });
export const notificationPageSchema = z.object({ next: link, previous: link, results: z.array(notificationSchema) }).meta({ id: "NotificationPage" });

export const relationshipSchema = z
  .object({
    id: z.number().int(),
    following: z.boolean(),
    followed_by: z.boolean(),
    blocking: z.boolean(),
    blocked_by: z.boolean(),
    muting: z.boolean(),
  })
  .meta({ id: "Relationship" });

export type Notification = z.infer<typeof notificationSchema>;
export type Relationship = z.infer<typeof relationshipSchema>;

export function notificationOf(row: NotificationRow, origin: string): Notification {
  return {
    id: row.id,
    actor: publicUserOf(row.actor, row.actorFollowed, origin),
    verb: VERBS[row.kind] as Notification["verb"],
    target: row.postId === null ? null : { type: "post", id: row.postId },
    read: row.read,
    timestamp: row.createdAt.toISOString(),
  };
}

export function relationshipOf(row: RelationshipRow): Relationship {
  return {
    id: row.id,
    following: row.following,
    followed_by: row.followedBy,
    blocking: row.blocking,
    blocked_by: row.blockedBy,
    muting: row.muting,
  };
}
