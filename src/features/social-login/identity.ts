/**
 * From a request to a provider identity: the enabled provider a path names (else 404), and what a
 * native app's body proves (dj-rest-auth's SocialLoginSerializer: an ID token, an access token, or
 * a code with its PKCE verifier and redirect URI). A proof the provider does not vouch for is
 * `400 {"non_field_errors": ["Incorrect value"]}`; a provider we cannot reach is a logged 500.
 */
import { IdentityRejected } from "../../auth/oauth/errors";
import { type ExternalIdentity, type SocialProvider, providerFor } from "../../auth/oauth/providers";
import type { ProviderSettings } from "../../auth/oauth/settings";
import type { Config } from "../../config";
import { NotFound, ServerMisconfigured, ValidationFailed } from "../../http/errors";
import { MESSAGES } from "../../http/fields";
import type { NativeBody } from "./social-login.schemas";

const providers = new WeakMap<ProviderSettings, SocialProvider>();

/** The enabled provider `id` (its client made once per isolate); 404 for an unknown or disabled one. */
export function providerNamed(config: Config, id: string): SocialProvider {
  // A setting that cannot be used is the operator's to fix, and must not look like a disabled provider.
  if (config.oauth.problem) throw new ServerMisconfigured(config.oauth.problem);
  const settings = config.oauth.providers.get(id);
  if (!settings) throw new NotFound();
  let provider = providers.get(settings);
  if (!provider) providers.set(settings, (provider = providerFor(settings)));
  return provider;
}

/** The redirect URI registered with every provider. */
export const callbackUrl = (config: Config, provider: string) => `${config.publicUrl}/api/auth/social/${provider}/callback/`;

/** dj-rest-auth's answer to a token or code that does not verify. */
export const incorrectValue = () => new ValidationFailed({ non_field_errors: ["Incorrect value"] });

/** The identity a native app's body proves. */
export async function identityFromBody(provider: SocialProvider, body: NativeBody): Promise<ExternalIdentity> {
  const proof = body.id_token
    ? () => provider.identityFromIdToken(body.id_token!)
    : body.access_token
      ? () => provider.identityFromAccessToken(body.access_token!)
      : body.code
        ? codeProof(provider, body)
        : undefined;
  if (!proof) throw new ValidationFailed({ non_field_errors: ["Incorrect input. access_token or code is required."] });
  try {
    return await proof();
  } catch (error) {
    if (error instanceof IdentityRejected) throw incorrectValue();
    throw error;
  }
}

function codeProof(provider: SocialProvider, body: NativeBody) {
  const missing = (["code_verifier", "redirect_uri"] as const).filter((field) => !body[field]);
  if (missing.length > 0) throw new ValidationFailed(Object.fromEntries(missing.map((field) => [field, [MESSAGES.required]])));
  return () => provider.identityFromCode(body.code!, body.code_verifier!, body.redirect_uri!);
}
