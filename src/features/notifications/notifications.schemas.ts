/** The notifications routes' path, query and answer schemas (the notification itself: src/http/representations/social.ts). */
import { z } from "zod";
import { cursorQuery, pageSizeQuery } from "../../http/pagination";

export const notificationListQuery = z.object({ cursor: cursorQuery, page_size: pageSizeQuery });

/** A notification id in a path; anything else, or beyond safe integers, names nothing (404). */
export const notificationIdParams = z.object({
  id: z
    .string()
    .regex(/^[0-9]{1,16}$/)
    .transform(Number)
    .refine((id) => Number.isSafeInteger(id) && id >= 1)
    .meta({ type: "integer", minimum: 1, description: "A notification id." }),
});

export const unreadCountSchema = z
  .object({ unread_count: z.number().int().meta({ description: "Unread notifications the list shows (actors muted or sharing a block left out)." }) })
  .meta({ id: "UnreadCount" });
