/**
 * Social sign-in (API.md "Social login"). The browser flow: `login/` sends the browser to the
 * provider with a fresh state, PKCE verifier and nonce sealed in a cookie; the callback checks
 * them, has the provider vouch for the identity, picks the account and sends the browser back to
 * the app with a one-time code in the fragment, which `exchange/` turns into a sign-in once. The
 * native flow: an app's own proof (ID token, access token, code) is checked and signed in at once.
 */
import { generateCodeVerifier, generateState } from "arctic";
import { type FlowError, IdentityRejected, ProviderUnavailable } from "../../auth/oauth/errors";
import { LOGIN_STATE_SECONDS, type LoginState, openLoginState, sealLoginState } from "../../auth/oauth/login-state";
import { allowedNext } from "../../auth/oauth/settings";
import { equalInConstantTime } from "../../auth/salted-hmac";
import { type SignInAnswer, type SignInClient, SignInRefused, signIn } from "../../auth/sign-in";
import { signingSecret } from "../../config";
import { BadRequest, ValidationFailed } from "../../http/errors";
import type { Deps } from "../../lib/deps";
import { AccountRefused, accountFor } from "./account-matching";
import { callbackUrl, identityFromBody, providerNamed } from "./identity";
import type { NativeBody } from "./social-login.schemas";

/** A one-time code is exchanged within this time (API.md: 60 s). */
const CODE_LIFETIME_MS = 60_000;

const ACCOUNT_MESSAGES = {
  email_taken: "A user is already registered with this e-mail address.",
  inactive: "User account is disabled.",
} as const;

const INVALID_NEXT = () => new ValidationFailed({ next: ["Invalid redirect URL."] });
/** A callback whose cookie is missing, forged, expired or another provider's: there is no `next` to trust. */
const INVALID_STATE = () => new BadRequest("Invalid or expired login state.");

const randomToken = (bytes = 32) => btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(bytes)))).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");

async function sha256Hex(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
  return [...digest].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** `login/`: where to send the browser, and the sealed state for its cookie. */
export async function beginBrowserLogin(deps: Deps, input: { provider: string; next: string }): Promise<{ location: string; sealedState: string; maxAge: number }> {
  const provider = providerNamed(deps.config, input.provider);
  const next = allowedNext(deps.config.oauth, input.next);
  if (!next) throw INVALID_NEXT();
  const login: LoginState = {
    provider: provider.id,
    state: generateState(),
    codeVerifier: generateCodeVerifier(),
    nonce: randomToken(),
    next: next.href,
    expires: Math.floor(Date.now() / 1000) + LOGIN_STATE_SECONDS,
  };
  const url = await provider.authorizationUrl(callbackUrl(deps.config, provider.id), login);
  return { location: url.href, sealedState: await sealLoginState(login, signingSecret(deps.config)), maxAge: LOGIN_STATE_SECONDS };
}

/** What the provider sent back to the callback. */
export interface ProviderReturn {
  code?: string;
  state?: string;
  error?: string;
}

/** The provider's own refusals that mean "the user said no" rather than a fault. */
const USER_REFUSALS = new Set(["access_denied", "consent_required", "login_required", "interaction_required", "user_cancelled_authorize"]);

/** The callback: the app's page with `#code=` on success, `#error=` on any refusal; 400 with no state to trust. */
export async function finishBrowserLogin(deps: Deps, input: { provider: string; sealedState: string | undefined; returned: ProviderReturn }): Promise<string> {
  const provider = providerNamed(deps.config, input.provider);
  const login = await openLoginState(input.sealedState, provider.id, signingSecret(deps.config));
  // The app's page is checked again: the allow-list may have changed since the login began.
  const next = login && allowedNext(deps.config.oauth, login.next);
  if (!login || !next) throw INVALID_STATE();
  const answer = (fragment: string) => {
    next.hash = fragment;
    return next.href;
  };
  const refuse = (error: FlowError) => answer(`error=${error}`);
  const { code, state, error } = input.returned;
  // The provider returns `state` with its errors too: nothing but this browser's login is answered.
  if (!state || !equalInConstantTime(state, login.state)) return refuse("invalid_state");
  if (error) return refuse(USER_REFUSALS.has(error) ? "access_denied" : "server_error");
  if (!code) return refuse("server_error");
  let userId: number;
  try {
    const identity = await provider.identityFromCode(code, login.codeVerifier, callbackUrl(deps.config, provider.id), login.nonce);
    userId = (await accountFor(deps.store.oauth, identity)).id;
  } catch (failure) {
    if (failure instanceof AccountRefused) return refuse(failure.reason);
    // An ID token minted for another login's nonce is a code injected into this one.
    if (failure instanceof IdentityRejected && failure.nonceMismatch) return refuse("invalid_state");
    if (failure instanceof IdentityRejected || failure instanceof ProviderUnavailable) {
      logFailure(provider.id, failure);
      return refuse("server_error");
    }
    throw failure;
  }
  const oneTimeCode = randomToken();
  await deps.store.oauth.saveCode(await sha256Hex(oneTimeCode), userId, new Date(Date.now() + CODE_LIFETIME_MS), Date.now());
  return answer(`code=${oneTimeCode}`);
}

/** A provider's refusal of our own exchange is a fault to look into (no token or code is logged). */
function logFailure(provider: string, failure: Error): void {
  console.warn(JSON.stringify({ level: "warn", event: "social_login_failed", provider, error: failure.name, message: failure.message }));
}

/** `exchange/`: the one-time code, taken once, signs its user in. */
export async function exchangeCode(deps: Deps, input: { code: string; client: SignInClient }): Promise<SignInAnswer> {
  const taken = await deps.store.oauth.takeCode(await sha256Hex(input.code), Date.now());
  if (!taken) throw new ValidationFailed({ code: ["Invalid value"] });
  return signInAs(deps, { id: taken.userId, isActive: true }, input.client);
}

/** The native flow: the app's proof, the account it names, signed in. */
export async function nativeLogin(deps: Deps, input: { provider: string; body: NativeBody; client: SignInClient }): Promise<SignInAnswer> {
  const provider = providerNamed(deps.config, input.provider);
  const identity = await identityFromBody(provider, input.body);
  let user: { id: number; isActive: boolean };
  try {
    user = await accountFor(deps.store.oauth, identity);
  } catch (failure) {
    if (failure instanceof AccountRefused) throw new ValidationFailed({ non_field_errors: [ACCOUNT_MESSAGES[failure.reason]] });
    throw failure;
  }
  return signInAs(deps, user, input.client);
}

/** The shared end of every sign-in (src/auth/sign-in.ts): tokens, or the two-factor challenge; a user deactivated meanwhile is refused. */
async function signInAs(deps: Deps, user: { id: number; isActive: boolean }, client: SignInClient): Promise<SignInAnswer> {
  try {
    return await signIn(deps, user, client, "social");
  } catch (failure) {
    if (failure instanceof SignInRefused) throw new ValidationFailed({ non_field_errors: [ACCOUNT_MESSAGES.inactive] });
    throw failure;
  }
}
