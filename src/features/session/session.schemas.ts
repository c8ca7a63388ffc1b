import { z } from "zod";
import { passwordField } from "../../auth/passwords/password-field";
import { charField } from "../../http/fields";

export const loginBody = z.object({
  username: charField({ maxLength: 150 }),
  password: passwordField(),
});

/** A JWT is a few hundred bytes; 4096 characters leaves room without inviting megabytes. */
const tokenField = () => charField({ maxLength: 4096 });

export const refreshBody = z.object({ refresh: tokenField() });
export const verifyBody = z.object({ token: tokenField() });

export type LoginBody = z.infer<typeof loginBody>;
