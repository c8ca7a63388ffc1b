import { z } from "zod";
import { passwordField } from "../../auth/passwords/password-field";
import { turnstileField } from "../../auth/turnstile";
import { charField } from "../../http/fields";

export const loginBody = z.object({
  username: charField({ maxLength: 150 }),
  password: passwordField(),
  ...turnstileField,
}).meta({ id: "LoginRequest" });

/** A JWT is a few hundred bytes; 4096 characters leaves room without inviting megabytes. */
const tokenField = () => charField({ maxLength: 4096 });

export const refreshBody = z.object({ refresh: tokenField() }).meta({ id: "RefreshRequest" });
export const verifyBody = z.object({ token: tokenField() }).meta({ id: "VerifyRequest" });

export { signInAnswerSchema, tokenPairSchema } from "../../http/representations/sign-in";
export const emptySchema = z.object({}).meta({ id: "Empty" });

export type LoginBody = z.infer<typeof loginBody>;
