import { z } from "zod";
import { passwordField } from "../../auth/passwords/password-field";
import { charField } from "../../http/fields";

export const loginBody = z.object({
  username: charField({ maxLength: 150 }),
  password: passwordField(),
});

export type LoginBody = z.infer<typeof loginBody>;
