/**
 * Passkeys (WebAuthn): registration for the signed-in caller, discoverable login (no username),
 * the list and deletion. Each challenge is kept by the store until the write that uses it deletes
 * it (5 minutes at most); a login ends like every sign-in (src/auth/sign-in.ts), with no second
 * step: a user-verified passkey is two factors by itself.
 */
import {
  CHALLENGE_LIFETIME_MS,
  InvalidPasskey,
  creationOptions,
  randomId,
  readAssertion,
  requestOptions,
  verifyAssertion,
  verifyRegistration,
} from "../../auth/passkeys/webauthn";
import { type SignInClient, type TokenPair, prepareSession, signIn } from "../../auth/sign-in";
import { BadRequest, NotFound, ValidationFailed } from "../../http/errors";
import type { CallerDeps, Deps } from "../../lib/deps";
import type { PasskeyRow } from "../../store";
import { type CreationOptions, type RequestOptions, creationOptionsSchema, requestOptionsSchema } from "./passkeys.schemas";

const invalidPasskey = () => new ValidationFailed({ non_field_errors: ["Invalid passkey."] });
const disabled = () => new ValidationFailed({ non_field_errors: ["User account is disabled."] });

/** A verification's failure as the contract's 400 (why it failed is never told). */
async function verified<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof InvalidPasskey) throw invalidPasskey();
    throw error;
  }
}

/** `register/options/`: a challenge kept for the caller, and the creation options with it. */
export async function beginRegistration(deps: CallerDeps): Promise<CreationOptions> {
  const now = Date.now();
  const challenge = randomId();
  const { caller, userHandle, excluded } = await deps.caller.passkeys.beginRegistration(
    { challenge, expiresAt: new Date(now + CHALLENGE_LIFETIME_MS), newHandle: randomId() },
    now,
  );
  // Parsed as the document describes them (what the library adds unasked is not sent).
  return creationOptionsSchema.parse(await creationOptions(deps.config.webauthn, { username: caller.username, handle: userHandle }, excluded, challenge));
}

/** `register/`: the browser's answer verified, then kept in the write that spends the caller's challenge. */
export async function registerPasskey(deps: CallerDeps, input: { credential: unknown; name: string }): Promise<PasskeyRow> {
  const registration = await verified(() => verifyRegistration(deps.config.webauthn, input.credential));
  const { challenge, ...credential } = registration;
  const { passkey } = await deps.caller.passkeys.register(challenge, { ...credential, name: input.name }, Date.now());
  // The challenge was not the caller's live one (used, expired, unknown), or the credential is registered already.
  if (!passkey) throw invalidPasskey();
  return passkey;
}

/** `login/options/`: a challenge kept for anyone, and the request options with it. */
export async function beginLogin(deps: Deps): Promise<RequestOptions> {
  const challenge = randomId();
  const now = Date.now();
  await deps.store.passkeys.beginLogin({ challenge, expiresAt: new Date(now + CHALLENGE_LIFETIME_MS) }, now);
  return requestOptionsSchema.parse(await requestOptions(deps.config.webauthn, challenge));
}

/**
 * `login/`: the passkey the answer names is read, the answer verified against it, then one write
 * spends the challenge, moves the counter (only from the value checked) and starts the session.
 */
export async function loginWithPasskey(deps: Deps, input: { credential: unknown; client: SignInClient }): Promise<TokenPair> {
  const { assertion, challenge } = await verified(async () => readAssertion(input.credential));
  const stored = await deps.store.passkeys.credential(assertion.id);
  if (!stored) throw invalidPasskey();
  const counter = await verified(() => verifyAssertion(deps.config.webauthn, assertion, challenge, stored));
  if (!stored.userActive) throw disabled();
  const now = Date.now();
  const prepared = prepareSession(deps.config, input.client.userAgent);
  const outcome = await deps.store.passkeys.login(
    { challenge, passkeyId: stored.id, userId: stored.userId, counter: { from: stored.counter, to: counter }, session: prepared.session },
    now,
  );
  if (outcome === "inactive") throw disabled();
  if (outcome !== "signed_in") throw invalidPasskey();
  const answer = await signIn(deps, { id: stored.userId, isActive: true }, input.client, "passkey", { started: prepared });
  // A passkey sign-in never stops at the second step (src/auth/sign-in.ts).
  if ("mfa_required" in answer) throw new Error("a passkey sign-in asked for a second factor");
  return answer;
}

/** The caller's passkeys. */
export async function listPasskeys(deps: CallerDeps): Promise<PasskeyRow[]> {
  return (await deps.caller.passkeys.list()).passkeys;
}

/** Deletes one of the caller's passkeys; never their last way to sign in. */
export async function deletePasskey(deps: CallerDeps, input: { id: number }): Promise<void> {
  const { outcome } = await deps.caller.passkeys.delete(input.id);
  if (outcome === "unknown") throw new NotFound();
  if (outcome === "last") throw new BadRequest("You cannot remove your only way to sign in.");
}
