/** The users routes' query and body schemas (the user shapes themselves: src/http/representations/user-schemas.ts). */
import { z } from "zod";
import { cursorQuery, pageQuery, pageSizeQuery } from "../../http/pagination";

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
    mfa_enabled: boolean
      // Only its owner can turn two-factor on (the secret is theirs); an admin can only take it away.
      .refine((value) => value === false, { error: "Two-factor authentication can only be turned off here." })
      .optional()
      .meta({ description: "Superusers only; `false` turns the user's two-factor authentication off (secret and recovery codes deleted)." }),
  })
  .meta({ id: "AdminUserChange" });

export type AdminUserChange = z.infer<typeof adminUserChangeBody>;
