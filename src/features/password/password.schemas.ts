import { z } from "zod";
import { passwordField } from "../../auth/passwords/password-field";

export const passwordChangeBody = z.object({
  old_password: passwordField(),
  new_password: passwordField(),
  new_password2: passwordField(),
}).meta({ id: "PasswordChangeRequest" });

export type PasswordChangeBody = z.infer<typeof passwordChangeBody>;
