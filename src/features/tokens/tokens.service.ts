/**
 * A login session's life: login starts it (a family of refresh tokens), refresh rotates it
 * (single use, enforced by the database), and logout ends it. Presenting an already used refresh token
 * anywhere revokes its family.
 */
import { type RefreshClient, refreshClientId } from "../../auth/refresh-client";
import { loginFailureKeys, loginRules, throttledFor } from "../../auth/throttling";
import { type TurnstileAnswer, checkTurnstile, turnstileOn } from "../../auth/turnstile";
import { burnOneHash, hashPassword, verifyPassword } from "../../auth/passwords/hashers";
import { type SignInAnswer, type SignInClient, type TokenPair, SignInRefused, prepareSession, signIn } from "../../auth/sign-in";
import { type TokenClaims, TokenRejected, issueToken, verifyToken } from "../../auth/tokens";
import { publishEnded } from "../../auth/revocations";
import { InvalidToken, LoginFailed, NoActiveAccount, ValidationFailed } from "../../http/errors";
import type { CallerDeps, Deps } from "../../lib/deps";
import type { EndedSession } from "../../store";
import type { LoginBody } from "./tokens.schemas";

export type { TokenPair } from "../../auth/sign-in";

/** Failed logins of a username (from any address, within THROTTLE_LOGIN_USER's window) after which Turnstile is asked for. */
const TURNSTILE_AFTER_FAILURES = 3;

/**
 * Checks the credentials and starts a new session in one D1 round trip: the throttle slot, the
 * account and a speculative family row come in one batch, before the password is hashed.
 * Exactly one hash is computed whatever the outcome (unknown user, inactive user, wrong
 * password); bookkeeping (last_login, the hash upgrade, the released throttle slot, or the
 * discarded family of a failed attempt) runs after the response. A right password ends like every
 * sign-in (src/auth/sign-in.ts): with two-factor on, no session was begun and the answer is the
 * challenge of the second step.
 */
export async function login(deps: Deps, input: { credentials: LoginBody; turnstile: TurnstileAnswer } & SignInClient): Promise<SignInAnswer> {
  const { store, config, defer } = deps;
  const { credentials, address } = input;
  const now = Date.now();
  const username = credentials.username.normalize("NFKC");
  // Turnstile on: a username failed repeatedly (from any address) asks for it, before anything is written.
  if (turnstileOn(config)) {
    const failures = await store.logins.recentFailures(loginFailureKeys(username).prefix, now - config.throttle.loginUser.periodMs);
    if (failures >= TURNSTILE_AFTER_FAILURES) await checkTurnstile(config, input.turnstile);
  }
  const rules = loginRules(config, username, address);
  // Claims are fixed before the batch so the family row records the refresh token's jti and expiry.
  const prepared = prepareSession(config, input.userAgent);
  const family = prepared.session.id;
  const { reservation, account: user, started } = await store.logins.begin({ rules, username, session: prepared.session }, now);
  if (reservation.slots.length === 0) throw throttledFor(rules, reservation.counts, now);
  if (!user) {
    burnOneHash(credentials.password);
    throw new LoginFailed();
  }
  // Inactive users' passwords are checked too (as Django's ModelBackend does), for equal timing.
  const check = await verifyPassword(credentials.password, user.password);
  if (!check.valid || !user.isActive) {
    if (started) defer(store.logins.discard(family));
    throw new LoginFailed();
  }
  // EMAIL_VERIFICATION=mandatory: the right password is not enough until the address is confirmed (dj-rest-auth's answer).
  if (config.emailVerification === "mandatory" && !user.emailVerified) {
    if (started) defer(store.logins.discard(family));
    // The password was proven from this address: it is known to the account from now on, so no
    // stranger spending the address's mail quota can stop the verification mail asked for from here.
    defer(store.logins.rememberAddress(user.id, address, now));
    throw new ValidationFailed({ non_field_errors: ["E-mail is not verified."] });
  }
  // Written only over the hash checked here: a password changed or reset meanwhile stays.
  const upgradedHash = check.needsRehash ? { from: user.password, to: hashPassword(credentials.password) } : undefined;
  const extras = { started: started ? prepared : undefined, releaseSlots: reservation.slots, upgradedHash };
  try {
    return await signIn(deps, user, { address, userAgent: input.userAgent }, "password", extras);
  } catch (error) {
    // Deactivated since the batch read the account: as for any inactive account.
    if (error instanceof SignInRefused) throw new LoginFailed();
    throw error;
  }
}

const expiry = (claims: TokenClaims) => new Date(claims.exp * 1000);

/**
 * Verifies a token given in a body (failures become simplejwt's short 401 bodies). A refresh
 * token's family is looked up in KV first, so a known revocation is refused without touching D1.
 */
async function bodyToken(deps: Deps, token: string, expected?: "refresh"): Promise<TokenClaims> {
  let claims: TokenClaims;
  try {
    claims = await verifyToken(deps.config, token, expected);
  } catch (error) {
    if (!(error instanceof TokenRejected)) throw error;
    throw new InvalidToken(error.reason === "wrong_type" ? "Token has wrong type" : "Token is invalid or expired");
  }
  const session = claims.fam ?? claims.sid!;
  if (await deps.revocations.isRevoked(session)) blacklisted(deps);
  return claims;
}

function blacklisted(deps: Deps, session?: EndedSession): never {
  if (session) publishEnded(deps, [session]);
  throw new InvalidToken("Token is blacklisted");
}

/**
 * Rotates a refresh token: a new pair for the current token, theft handling for a used one. The
 * client presenting it is recorded with the rotation: only that client's reuse within the grace
 * is a second tab rather than theft.
 */
export async function refresh(deps: Deps, input: { token: string; client: RefreshClient }): Promise<TokenPair> {
  const claims = await bodyToken(deps, input.token, "refresh");
  const family = claims.fam!;
  // Both tokens are signed before the batch: a key that cannot sign fails before the old token is spent.
  const next = await issueToken(deps.config, "refresh", claims.user_id, { fam: family });
  const access = await issueToken(deps.config, "access", claims.user_id, { sid: family });
  const client = await refreshClientId(deps.config, input.client);
  const graceMs = deps.config.refreshReuseGraceSeconds * 1000;
  const rotation = { oldJti: claims.jti, newJti: next.claims.jti, newExpiresAt: expiry(next.claims), client };
  const outcome = await deps.store.sessions.rotate({ id: family, userId: claims.user_id }, rotation, graceMs, Date.now());
  switch (outcome.kind) {
    case "rotated":
      return { access: access.token, refresh: next.token };
    case "reused":
    case "revoked":
      return blacklisted(deps, outcome.session);
    case "within_grace":
      return blacklisted(deps);
    case "no_active_user":
      throw new NoActiveAccount();
    case "unknown":
      throw new InvalidToken("Token is invalid or expired");
  }
}

/**
 * token/verify: any valid token of an active user whose session is live; a refresh token must
 * also be its session's current one (an older one is reuse, and revokes the session, unless the
 * client presenting it replaced it within the grace).
 */
export async function verify(deps: Deps, input: { token: string; client: RefreshClient }): Promise<void> {
  const claims = await bodyToken(deps, input.token);
  const refresh = claims.token_type === "refresh" ? { jti: claims.jti, client: await refreshClientId(deps.config, input.client) } : undefined;
  const session = { id: claims.fam ?? claims.sid!, userId: claims.user_id };
  const { state, userActive, ended } = await deps.store.sessions.standing(session, refresh, deps.config.refreshReuseGraceSeconds * 1000, Date.now());
  if (state === "unknown") throw new InvalidToken("Token is invalid or expired");
  if (state === "not_current") blacklisted(deps, ended);
  if (state === "revoked") blacklisted(deps);
  if (!userActive) throw new NoActiveAccount();
}

/** logout: revokes the token's family. A token already used or revoked is blacklisted. */
export async function logout(deps: Deps, input: { token: string }): Promise<void> {
  const claims = await bodyToken(deps, input.token, "refresh");
  const { state, ended } = await deps.store.sessions.end({ id: claims.fam!, userId: claims.user_id }, claims.jti, Date.now());
  // Unknown: its login expired and was cleaned up (or was never ours).
  if (state === "unknown") throw new InvalidToken("Token is invalid or expired");
  // A token no longer current is reuse: its family is revoked all the same, and it is refused.
  if (state !== "current") blacklisted(deps, ended);
  publishEnded(deps, ended ? [ended] : []);
}

/** logout/all: ends every session of the caller, including ones started this very second. */
export async function logoutEverywhere(deps: CallerDeps): Promise<void> {
  const { ended } = await deps.caller.sessions.endAll(Date.now());
  publishEnded(deps, ended);
}
