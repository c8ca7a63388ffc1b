import { z } from "zod";
import { passwordField } from "../../auth/passwords/password-field";
import { turnstileField } from "../../auth/turnstile";
import { charField, emailField } from "../../http/fields";

export const passwordChangeBody = z.object({
  old_password: passwordField(),
  new_password: passwordField(),
  new_password2: passwordField(),
}).meta({ id: "PasswordChangeRequest" });

export type PasswordChangeBody = z.infer<typeof passwordChangeBody>;

export const passwordResetBody = z.object({ email: emailField(), ...turnstileField }).meta({ id: "PasswordResetRequest" });

export const passwordResetConfirmBody = z
  .object({
    uid: charField({ maxLength: 64 }),
    token: charField({ maxLength: 64 }),
    new_password1: passwordField(),
    new_password2: passwordField(),
  })
  .meta({ id: "PasswordResetConfirmRequest" });
