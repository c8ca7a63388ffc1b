import { z } from "zod";
import { passwordField } from "../../auth/passwords/password-field";
import { charField, emailField, usernameField } from "../../http/fields";
import { pictureField } from "../../pictures/picture-field";

/** Django has no limit on bio; ours keeps one bio from filling a page of the users list. */
export const BIO_MAX_LENGTH = 1000;

/** PUT and PATCH both take any subset of the writable fields; absent fields stay as they are. */
export const profileBody = z.object({
  username: usernameField().optional(),
  email: emailField().optional(),
  first_name: charField({ maxLength: 150, allowBlank: true }).optional(),
  last_name: charField({ maxLength: 150, allowBlank: true }).optional(),
  bio: charField({ maxLength: BIO_MAX_LENGTH, allowBlank: true }).nullable().optional(),
  /** A file part of a multipart body; empty or null removes the picture. */
  profile_picture: pictureField().optional(),
  /** Read only when `email` changes, and then required: a stolen access token must not be enough to move the account. */
  current_password: passwordField()
    .optional()
    .meta({ writeOnly: true, description: "The caller's password: required when `email` changes to another address, ignored otherwise; never returned." }),
}).meta({ id: "ProfileUpdateRequest" });

export type ProfileBody = z.infer<typeof profileBody>;

export const accountDeletionBody = z.object({ password: passwordField() }).meta({ id: "AccountDeletionRequest" });
