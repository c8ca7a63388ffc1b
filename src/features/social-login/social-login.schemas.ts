import { z } from "zod";
import { charField } from "../../http/fields";

export const providerParams = z.object({
  provider: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,31}$/).meta({ description: "google, github, apple, microsoft, or the id of an OIDC_PROVIDERS entry." }),
});

export const socialAccountIdParams = z.object({
  id: z
    .string()
    .regex(/^[0-9]{1,16}$/)
    .transform(Number)
    .refine((id) => Number.isSafeInteger(id) && id >= 1)
    .meta({ type: "integer", minimum: 1, description: "A linked account's id, as the list gives it." }),
});

export const loginQuery = z.object({
  next: charField({ maxLength: 2048 }).meta({ description: "The app's page to return to: one of OAUTH_REDIRECT_URLS (scheme, host, port and path)." }),
});

/** What a provider sends back to the callback (in the query; Apple in a form POST). */
const returned = {
  code: z.string().max(4096).optional(),
  state: z.string().max(1024).optional(),
  error: z.string().max(256).optional(),
};

export const callbackQuery = z.object(returned);
export const callbackForm = z.object(returned).meta({ id: "SocialCallbackForm" });

export const exchangeBody = z.object({ code: charField({ maxLength: 128 }) }).meta({ id: "SocialExchangeRequest" });

/** A token or code is a few kilobytes at most (Apple's and Microsoft's ID tokens are the largest). */
const tokenText = () => charField({ maxLength: 8192 }).optional();

/** dj-rest-auth's SocialLoginSerializer: one of an ID token, an access token, or a code with its PKCE verifier and redirect URI. */
export const nativeBody = z
  .object({
    id_token: tokenText(),
    access_token: tokenText(),
    code: tokenText(),
    code_verifier: charField({ maxLength: 128 }).optional(),
    redirect_uri: charField({ maxLength: 2048 }).optional(),
  })
  .meta({ id: "SocialLoginRequest" });

export type NativeBody = z.infer<typeof nativeBody>;
