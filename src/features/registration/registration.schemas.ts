import { z } from "zod";
import { passwordField } from "../../auth/passwords/password-field";
import { turnstileField } from "../../auth/turnstile";
import { charField, emailField, usernameField } from "../../http/fields";

export const registerBody = z.object({
  username: usernameField(),
  email: emailField(),
  password: passwordField(),
  password2: passwordField(),
  ...turnstileField,
}).meta({ id: "RegisterRequest" });

export type RegisterBody = z.infer<typeof registerBody>;

export const verifyEmailBody = z.object({ key: charField({ maxLength: 128 }) }).meta({ id: "VerifyEmailRequest" });
export const resendEmailBody = z.object({ email: emailField(), ...turnstileField }).meta({ id: "ResendEmailRequest" });
