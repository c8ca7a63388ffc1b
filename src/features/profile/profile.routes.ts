import { createRoute, z } from "@hono/zod-openapi";
import { bearerSecurity, errorResponses, everyRoute, jsonResponse, requestBody, withBearer, withBody } from "../../http/openapi";
import { MAX_PICTURE_BODY_BYTES } from "../../pictures/picture-field";
import { commentSchema, postSchema } from "../../http/representations/posts";
import { sessionSchema } from "../../http/representations/sessions";
import { socialAccountSchema } from "../../http/representations/social-accounts";
import { notificationSchema } from "../../http/representations/social";
import { passkeySchema } from "../../http/representations/passkeys";
import { profileSchema, publicUserSchema } from "../../http/representations/user-schemas";
import { accountDeletionBody, profileBody } from "./profile.schemas";

const tags = ["profile"];

export const profileGetRoute = createRoute({
  method: "get", path: "/profile", tags, summary: "The caller's profile",
  security: bearerSecurity,
  responses: { 200: jsonResponse(profileSchema, "The profile."), ...withBearer, ...everyRoute },
});

const update = (method: "put" | "patch") =>
  createRoute({
    method, path: "/profile", tags,
    summary: `Update the caller's profile (${method.toUpperCase()}: absent fields stay unchanged)`,
    security: bearerSecurity,
    request: {
      body: requestBody(profileBody, {
        multipartMaxBytes: MAX_PICTURE_BODY_BYTES,
        description: "A picture is a file part of a multipart body; JSON and form bodies change text fields only.",
      }),
    },
    responses: {
      200: jsonResponse(profileSchema, "The updated profile."),
      ...withBody, ...withBearer, ...everyRoute,
      // An email change: THROTTLE_PASSWORD_CHECK (wrong current passwords) or THROTTLE_EMAIL (its mail) of the user.
      429: errorResponses.throttled,
    },
  });

export const profilePutRoute = update("put");
export const profilePatchRoute = update("patch");

export const accountDeleteRoute = createRoute({
  method: "delete", path: "/profile", tags,
  summary: "Delete the caller's account: the user, their follows both ways, posts, comments, likes, notifications, blocks and mutes, their picture and every session",
  security: bearerSecurity,
  request: { body: requestBody(accountDeletionBody) },
  responses: { 204: { description: "Deleted." }, ...withBody, ...withBearer, ...everyRoute, 429: errorResponses.throttled },
});

const knownAddressSchema = z
  .object({
    address: z.string().meta({ description: "The client address as the limits key it (an IPv4 address, an IPv6 prefix); `unknown` when the request carried none." }),
    last_seen: z.string().meta({ format: "date-time", description: "The last login from it (or the registration)." }),
  })
  .meta({ id: "KnownAddress", description: "An address the account registered or logged in from; kept 30 days after its last use." });

const exportedLikeSchema = z
  .object({
    post: z.number().int().meta({ description: "The post's id." }),
    created_at: z.string().meta({ format: "date-time" }),
  })
  .meta({ id: "ExportedLike", description: "A like of the caller's." });

export const accountExportSchema = z
  .object({
    profile: profileSchema,
    followers: z.array(publicUserSchema),
    following: z.array(publicUserSchema),
    sessions: z.array(sessionSchema),
    social_accounts: z.array(socialAccountSchema),
    known_addresses: z.array(knownAddressSchema),
    two_factor: z
      .object({
        enabled: z.boolean(),
        recovery_codes_remaining: z.number().int().meta({ description: "Recovery codes not used yet (0 while two-factor is off)." }),
      })
      .meta({ id: "TwoFactorExport", description: "Whether two-factor is on; no secret and no code is ever exported." }),
    posts: z.array(postSchema).meta({ description: "The caller's posts, newest first." }),
    comments: z.array(commentSchema).meta({ description: "The caller's comments, wherever they are, newest first." }),
    likes: z.array(exportedLikeSchema).meta({ description: "The caller's likes, newest post first." }),
    blocks: z.array(publicUserSchema).meta({ description: "The users the caller blocks, latest first." }),
    mutes: z.array(publicUserSchema).meta({ description: "The users the caller mutes, latest first." }),
    notifications: z.array(notificationSchema).meta({ description: "Every notification to the caller (muted or blocked actors' too), unread first, then newest." }),
    passkeys: z.array(passkeySchema).meta({ description: "The passkeys (names and dates; their public keys are not exported)." }),
  })
  .meta({ id: "AccountExport", description: "Everything the service holds about the caller (GDPR article 20)." });

export const accountExportRoute = createRoute({
  method: "get", path: "/profile/export", tags,
  summary: "Everything the service holds about the caller, as a JSON download (streamed)",
  security: bearerSecurity,
  responses: {
    200: jsonResponse(accountExportSchema, "The export.", {
      "Content-Disposition": { schema: { type: "string" }, required: true, description: 'attachment; filename="<username>-export.json"' },
    }),
    ...withBearer, ...everyRoute,
  },
});
