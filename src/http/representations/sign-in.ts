/** The JSON answers of every sign-in (src/auth/sign-in.ts): a token pair, or, with two-factor on, the challenge of the second step. */
import { z } from "zod";

export const tokenPairSchema = z.object({ refresh: z.string(), access: z.string() }).meta({ id: "TokenPair" });

export const mfaChallengeSchema = z
  .object({
    mfa_required: z.literal(true),
    mfa_token: z.string().meta({ description: "Opaque, single use, valid 5 minutes: give it to POST /api/auth/2fa/verify/ with a code." }),
  })
  .meta({ id: "MfaChallenge", description: "Two-factor authentication is on: no tokens until the second step." });

/** What a password or social sign-in answers. */
export const signInAnswerSchema = z.union([tokenPairSchema, mfaChallengeSchema]).meta({ id: "SignInAnswer" });
