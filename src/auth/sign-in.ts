/**
 * How every sign-in method ends (API.md "Sign-in beyond passwords"): a password, a provider, a
 * passkey or a second factor has identified a user; `signIn` starts their login session and
 * answers the token pair, with the bookkeeping of a login after the response (last_login, the
 * known address, a right password's throttle slots, a rehash). With two-factor on, a password or
 * social sign-in answers `{"mfa_required": true, "mfa_token"}` instead, and `POST
 * /api/auth/2fa/verify/` finishes it here later. An inactive user never signs in: the store's
 * write itself reads the user's state and the two-factor switch.
 */
import type { Config } from "../config";
import type { Deps } from "../lib/deps";
import type { NewSession, SignInMethod, UpgradedHash, UserRow } from "../store";
import { MFA_TOKEN_LIFETIME_MS, newMfaToken } from "./mfa/challenge-token";
import { type TokenClaims, issueClaims, issueToken, newClaims, newTokenId } from "./tokens";

export type { SignInMethod } from "../store";

export interface TokenPair {
  refresh: string;
  access: string;
}

/** The answer of a first factor when two-factor is on: the token `2fa/verify/` takes with the code. */
export interface MfaChallenge {
  mfa_required: true;
  mfa_token: string;
}

export type SignInAnswer = TokenPair | MfaChallenge;

/** Who is signing in: their address (throttling, known addresses) and User-Agent (the sessions list). */
export interface SignInClient {
  address: string;
  userAgent: string | null;
}

/** The user a method has identified, as it read them. */
export type SignInUser = Pick<UserRow, "id" | "isActive">;

/** A session whose row a method has written itself, in its own first write (the password login's speculative session). */
export interface PreparedSession {
  session: NewSession;
  /** The first refresh token's claims (its jti and expiry are the row's), without the user yet. */
  refreshClaims: TokenClaims;
}

/** What a method did before: a session already started, a right password's slots and rehash. */
export interface SignInExtras {
  started?: PreparedSession;
  releaseSlots?: number[];
  upgradedHash?: UpgradedHash;
}

/** The user is inactive (or gone): each method answers it in its own words (a login's 401, a provider's 400). */
export class SignInRefused extends Error {
  constructor(readonly reason: "inactive") {
    super(reason);
  }
}

/** A new session's row and first refresh token's claims, fixed before the write that starts it. */
export function prepareSession(config: Config, userAgent: string | null): PreparedSession {
  const id = newTokenId();
  const refreshClaims = newClaims(config, "refresh", 0, { fam: id });
  return { session: { id, jti: refreshClaims.jti, expiresAt: new Date(refreshClaims.exp * 1000), userAgent }, refreshClaims };
}

/**
 * Signs `user` in by `method`: the tokens of a new session, or, for a password or social sign-in
 * to an account with two-factor on, the challenge. Throws `SignInRefused` for an inactive user.
 */
export async function signIn(deps: Deps, user: SignInUser, client: SignInClient, method: SignInMethod, extras: SignInExtras = {}): Promise<SignInAnswer> {
  if (!user.isActive) throw new SignInRefused("inactive");
  const now = Date.now();
  const bookkeeping = { releaseSlots: extras.releaseSlots ?? [], upgradedHash: extras.upgradedHash };
  let prepared = extras.started;
  if (!prepared) {
    prepared = prepareSession(deps.config, client.userAgent);
    // A passkey is two factors by itself: it never stops at the second step.
    const challenge = method === "passkey" ? undefined : { ...newMfaToken(), method };
    const stored = challenge && { tokenHash: challenge.hash, method: challenge.method, expiresAt: new Date(now + MFA_TOKEN_LIFETIME_MS) };
    const outcome = await deps.store.signIns.start(user.id, prepared.session, stored, now);
    if (outcome === "inactive") throw new SignInRefused("inactive");
    if (outcome === "mfa") {
      // The first factor is proven: its slots go back and its rehash is written; the rest waits for the code.
      if (bookkeeping.releaseSlots.length > 0 || bookkeeping.upgradedHash) deps.defer(deps.store.signIns.finish(user.id, bookkeeping, now));
      return { mfa_required: true, mfa_token: challenge!.token };
    }
  }
  return completeSignIn(deps, user.id, client, prepared, now, bookkeeping);
}

/**
 * The end of every sign-in whose session has started (here, in a method's own write, or in the
 * second step's): its token pair, and after the response last_login, the known address, and what
 * the first factor left (slots to give back, a rehash).
 */
export async function completeSignIn(
  deps: Deps,
  userId: number,
  client: SignInClient,
  prepared: PreparedSession,
  now: number,
  bookkeeping: { releaseSlots: number[]; upgradedHash?: UpgradedHash } = { releaseSlots: [] },
): Promise<TokenPair> {
  const refresh = await issueClaims(deps.config, { ...prepared.refreshClaims, user_id: userId });
  const access = await issueToken(deps.config, "access", userId, { sid: prepared.session.id });
  deps.defer(deps.store.signIns.finish(userId, { ...bookkeeping, signedInFrom: client.address }, now));
  return { refresh: refresh.token, access: access.token };
}
