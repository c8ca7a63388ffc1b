/** The JSON shapes of a user (every feature that answers users uses them); the representations and the OpenAPI document both come from these. */
import { z } from "zod";

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
    mfa_enabled: z.boolean().meta({ description: "Whether two-factor authentication (TOTP) is on: password and social sign-ins then ask for a code." }),
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

/** How a user can sign in, as the admin console shows it. */
export const signInMethodsSchema = z
  .object({
    // Not named after the password: no admin answer carries that word (users.test.ts pins it).
    local_login: z.boolean().meta({ description: "Whether the user can sign in with their username and a usable password (a user created by social login has none until a password reset)." }),
    two_factor: z.boolean().meta({ description: "Whether two-factor authentication (TOTP) is on." }),
    social_accounts: z.array(z.string()).meta({ description: "The providers of the user's linked social accounts." }),
    passkeys: z.number().int().meta({ description: "How many passkeys the user has registered." }),
  })
  .meta({ id: "SignInMethods" });

export const adminUserSchema = profileSchema
  .extend({ is_staff: z.boolean(), is_superuser: z.boolean(), is_active: z.boolean(), last_login: dateTime.nullable(), sign_in_methods: signInMethodsSchema })
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
export type SignInMethods = z.infer<typeof signInMethodsSchema>;

/** A user id in a path: Django's `<int:pk>`; anything else, or beyond SQLite's integers, names nobody (404). */
export const userIdParams = z.object({
  id: z
    .string()
    .regex(/^[0-9]{1,16}$/)
    .transform(Number)
    .refine((id) => Number.isSafeInteger(id) && id >= 1)
    .meta({ type: "integer", minimum: 1, description: "A user id." }),
});
