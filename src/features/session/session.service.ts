/**
 * A session's life: login starts a token family, refresh rotates it (single use, enforced by
 * D1), and logout ends it. Presenting an already used refresh token anywhere revokes its family.
 */
import { requireActiveUser } from "../../auth/bearer";
import { loginRules, throttledFor } from "../../auth/throttling";
import { burnOneHash, hashPassword, verifyPassword } from "../../auth/passwords/hashers";
import type { RevocationList } from "../../auth/revocations";
import { type TokenClaims, TokenRejected, issueClaims, issueToken, newClaims, newTokenId, verifyToken } from "../../auth/tokens";
import type { Config } from "../../config";
import type { Database } from "../../db/client";
import {
  type RevokedFamily,
  discardFamily,
  familyState,
  finishLogin,
  revokeAllFamiliesOf,
  revokeFamily,
  rotateFamily,
  startFamilyForLogin,
} from "../../db/token-families";
import { selectCaller } from "../../db/caller";
import { reserveSlots, windowCounts } from "../../db/throttle";
import { userForLogin } from "../../db/users";
import { InvalidToken, LoginFailed, NoActiveAccount } from "../../http/errors";
import type { LoginBody } from "./session.schemas";

/** What the session operations need besides their input. */
export interface SessionContext {
  db: Database;
  config: Config;
  revocations: RevocationList;
  /** Runs work after the response is sent (KV writes that other requests do not wait for). */
  defer: (work: Promise<unknown>) => void;
}

export interface TokenPair {
  refresh: string;
  access: string;
}

/**
 * Checks the credentials and starts a new token family in one D1 round trip: the throttle slot,
 * the account and a speculative family row come in one batch, before the password is hashed.
 * Exactly one hash is computed whatever the outcome (unknown user, inactive user, wrong
 * password); bookkeeping (last_login, the hash upgrade, the released throttle slot, or the
 * discarded family of a failed attempt) runs after the response.
 */
export async function login({ db, config, defer }: SessionContext, credentials: LoginBody, address: string): Promise<TokenPair> {
  const now = Date.now();
  const username = credentials.username.normalize("NFKC");
  const rules = loginRules(config, username, address);
  const family = newTokenId();
  // Claims are fixed before the batch so the family row records the refresh token's jti and expiry.
  const refreshClaims = newClaims(config, "refresh", 0, { fam: family });
  const familyRow = { id: family, username, jti: refreshClaims.jti, expiresAt: expiry(refreshClaims) };
  const [reserved, counts, [user], started] = await db.batch([
    reserveSlots(db, rules, now),
    windowCounts(db, rules, now),
    userForLogin(db, username),
    startFamilyForLogin(db, familyRow, { key: rules[0]!.key, at: now }),
  ]);
  if (reserved.length === 0) throw throttledFor(rules, counts, now);
  if (!user) {
    burnOneHash(credentials.password);
    throw new LoginFailed();
  }
  // Inactive users' passwords are checked too (as Django's ModelBackend does), for equal timing.
  const check = await verifyPassword(credentials.password, user.password);
  if (!check.valid || !user.isActive) {
    if (started.meta.changes > 0) defer(discardFamily(db, family));
    throw new LoginFailed();
  }
  const refresh = await issueClaims(config, { ...refreshClaims, user_id: user.id });
  const access = await issueToken(config, "access", user.id);
  const upgradedHash = check.needsRehash ? hashPassword(credentials.password) : undefined;
  defer(finishLogin(db, user.id, { upgradedHash, releaseSlots: reserved.map((slot) => slot.id) }));
  return { refresh: refresh.token, access: access.token };
}

const expiry = (claims: TokenClaims) => new Date(claims.exp * 1000);

/**
 * Verifies a token given in a body (failures become simplejwt's short 401 bodies). A refresh
 * token's family is looked up in KV first, so a known revocation is refused without touching D1.
 */
async function bodyToken(context: SessionContext, token: string, expected?: "refresh"): Promise<TokenClaims> {
  let claims: TokenClaims;
  try {
    claims = await verifyToken(context.config, token, expected);
    if (claims.token_type === "refresh" && !claims.fam) throw new TokenRejected("invalid");
  } catch (error) {
    if (!(error instanceof TokenRejected)) throw error;
    throw new InvalidToken(error.reason === "wrong_type" ? "Token has wrong type" : "Token is invalid or expired");
  }
  if (claims.fam && (await context.revocations.isRevoked(claims.fam))) blacklisted(context);
  return claims;
}

function blacklisted(context: SessionContext, family?: RevokedFamily): never {
  if (family) context.defer(context.revocations.add(family.id, family.expiresAt));
  throw new InvalidToken("Token is blacklisted");
}

/** Rotates a refresh token: a new pair for the current token, theft handling for a used one. */
export async function refresh(context: SessionContext, token: string): Promise<{ access: string; refresh: string }> {
  const claims = await bodyToken(context, token, "refresh");
  const family = claims.fam!;
  const next = await issueToken(context.config, "refresh", claims.user_id, { fam: family });
  const outcome = await rotateFamily(context.db, family, claims.user_id, claims.jti, next.claims.jti, expiry(next.claims));
  switch (outcome.kind) {
    case "rotated": {
      const access = await issueToken(context.config, "access", claims.user_id);
      return { access: access.token, refresh: next.token };
    }
    case "reused":
    case "revoked":
      return blacklisted(context, outcome.family);
    case "no_active_user":
      throw new NoActiveAccount();
    case "unknown":
      throw new InvalidToken("Token is invalid or expired");
  }
}

/**
 * Checks that a refresh token is its family's live current token; a used one revokes the family.
 */
async function requireCurrentRefresh(context: SessionContext, claims: TokenClaims): Promise<void> {
  const family = claims.fam!;
  const { state, userActive } = await familyState(context.db, family, claims.user_id, claims.jti);
  if (state === "unknown") throw new InvalidToken("Token is invalid or expired");
  if (state === "not_current") {
    const revoked = await revokeFamily(context.db, family, claims.user_id, claims.jti);
    blacklisted(context, revoked.family);
  }
  if (state === "revoked") blacklisted(context);
  if (!userActive) throw new NoActiveAccount();
}

/** token/verify: any valid token of an active user; a refresh token must also be unrevoked. */
export async function verify(context: SessionContext, token: string): Promise<void> {
  const claims = await bodyToken(context, token);
  if (claims.token_type === "refresh") return requireCurrentRefresh(context, claims);
  const [user] = await selectCaller(context.db, claims.user_id);
  if (!user?.isActive) throw new NoActiveAccount();
}

/** logout: revokes the token's family. A token already used or revoked is blacklisted. */
export async function logout(context: SessionContext, token: string): Promise<void> {
  const claims = await bodyToken(context, token, "refresh");
  const { state, family } = await revokeFamily(context.db, claims.fam!, claims.user_id, claims.jti);
  // Unknown: its login expired and was cleaned up (or was never ours).
  if (state === "unknown") throw new InvalidToken("Token is invalid or expired");
  // A token no longer current is reuse: its family is revoked all the same, and it is refused.
  if (state !== "current") blacklisted(context, family);
  forgetFamilies(context, family ? [family] : []);
}

/** logout/all: revokes every refresh token of the caller, including ones issued this very second. */
export async function logoutEverywhere(context: SessionContext, userId: number): Promise<void> {
  const { db } = context;
  const [[caller], revoked] = await db.batch([selectCaller(db, userId), revokeAllFamiliesOf(db, userId)]);
  requireActiveUser(caller);
  forgetFamilies(context, revoked);
}

/** Publishes revoked families to KV, after the response. */
export function forgetFamilies(context: SessionContext, families: RevokedFamily[]): void {
  for (const family of families) context.defer(context.revocations.add(family.id, family.expiresAt));
}
