/** The JSON shapes of a user; the representations and the OpenAPI document both come from these. */
import { z } from "zod";
import { cursorQuery, pageQuery, pageSizeQuery } from "../../http/pagination";

const dateTime = z.string().meta({ format: "date-time" });
const pictureUrl = z.string().nullable().meta({ format: "uri", description: "Absolute URL of the picture under /media/, or null." });

export const profileSchema = z
  .object({
    id: z.number().int(),
    username: z.string(),
    email: z.string(),
    first_name: z.string(),
    last_name: z.string(),
    bio: z.string().nullable(),
    profile_picture: pictureUrl,
    followers_count: z.number().int(),
    following_count: z.number().int(),
    date_joined: dateTime,
    email_verified: z.boolean().meta({ description: "Whether the address was confirmed (createsuperuser and imported users count as confirmed)." }),
    pending_email: z.string().nullable().meta({ description: "With email verification on, a new address waiting for its confirmation." }),
  })
  .meta({ id: "Profile" });

export const publicUserSchema = z
  .object({
    id: z.number().int(),
    username: z.string(),
    bio: z.string().nullable(),
    profile_picture: pictureUrl,
    followers_count: z.number().int(),
    following_count: z.number().int(),
    is_following: z.boolean().meta({ description: "Whether the caller follows this user." }),
  })
  .meta({ id: "PublicUser" });

export const adminUserSchema = profileSchema
  .extend({ is_staff: z.boolean(), is_superuser: z.boolean(), is_active: z.boolean(), last_login: dateTime.nullable() })
  .meta({ id: "AdminUser" });

const link = z.string().nullable().meta({ format: "uri" });

export const adminUserPageSchema = z
  .object({ count: z.number().int(), next: link, previous: link, results: z.array(adminUserSchema) })
  .meta({ id: "AdminUserPage" });

export const publicUserPageSchema = z
  .object({ next: link, previous: link, results: z.array(publicUserSchema) })
  .meta({ id: "PublicUserPage" });

export type Profile = z.infer<typeof profileSchema>;
export type PublicUser = z.infer<typeof publicUserSchema>;
export type AdminUser = z.infer<typeof adminUserSchema>;

/** A user id in a path: Django's `<int:pk>`; anything else, or beyond SQLite's integers, names nobody (404). */
export const userIdParams = z.object({
  id: z
    .string()
    .regex(/^[0-9]{1,16}$/)
    .transform(Number)
    .refine((id) => Number.isSafeInteger(id) && id >= 1)
    .meta({ type: "integer", minimum: 1, description: "A user id." }),
});

const MESSAGES_MAX_254 = "Ensure this field has no more than 254 characters.";

/** `?search=`: any text up to 254 characters (trimmed; empty means no search), matched literally. */
const searchQuery = z
  .string()
  .trim()
  .max(254, { error: MESSAGES_MAX_254 })
  .optional()
  .transform((term) => term || undefined)
  .meta({ description: "Username or email contains (case-insensitive; `%`, `_` and `\\` are ordinary characters). At most 254 characters, else 400." });

export const usersListQuery = z.object({ page: pageQuery, page_size: pageSizeQuery, search: searchQuery });
export const followListQuery = z.object({ cursor: cursorQuery, page_size: pageSizeQuery });

/** What an admin may change on a user (DRF's BooleanField takes true/false, "true"/"false", 1/0 and the like). */
const boolean = z
  .union([z.boolean(), z.enum(["true", "false", "True", "False", "1", "0", "on", "off", "yes", "no"]), z.literal(1), z.literal(0)], {
    error: "Must be a valid boolean.",
  })
  .transform((value) => value === true || value === 1 || ["true", "True", "1", "on", "yes"].includes(String(value)))
  .meta({ type: "boolean" });

export const adminUserChangeBody = z
  .object({
    is_active: boolean.optional().meta({ description: "Deactivating ends every session of the user at once. Of staff and superusers: superusers only." }),
    is_staff: boolean.optional().meta({ description: "Superusers only." }),
  })
  .meta({ id: "AdminUserChange" });

export type AdminUserChange = z.infer<typeof adminUserChangeBody>;
