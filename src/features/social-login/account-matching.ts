/**
 * Which user a provider identity signs in (API.md "Which account"): the user it is linked to;
 * else the user holding its email, linked only when the provider says the email is verified AND
 * that user's is too (an attacker's provider account must never capture someone's account);
 * else a new user (a username derived from the provider's, the email, an unusable password).
 * Each write re-checks what it was decided on (./src/store/oauth.ts): a change in between makes
 * it refuse, and the decision is made again on what is there now.
 */
import { unusablePassword, usernameBase, usernameCandidates } from "../../auth/oauth/usernames";
import type { ExternalIdentity } from "../../auth/oauth/providers";
import type { OAuthStore } from "../../store";

/** Why no user signs in: the email belongs to an account it may not be linked to, or the user is inactive. */
export class AccountRefused extends Error {
  constructor(readonly reason: "email_taken" | "inactive") {
    super(reason);
    this.name = "AccountRefused";
  }
}

const ATTEMPTS = 4;

export async function accountFor(store: OAuthStore, identity: ExternalIdentity): Promise<{ id: number; isActive: boolean }> {
  const base = usernameBase(identity.username, identity.email);
  const { provider, uid, email, emailVerified } = identity;
  const stored = { provider, uid, email, emailVerified };
  for (let attempt = 0; attempt < ATTEMPTS; attempt += 1) {
    const now = Date.now();
    const candidates = usernameCandidates(base);
    const found = await store.match(stored, candidates);
    if (found.linked) {
      if (!found.linked.isActive) throw new AccountRefused("inactive");
      return found.linked;
    }
    if (found.emailHolder) {
      if (!emailVerified || !found.emailHolder.emailVerified) throw new AccountRefused("email_taken");
      if (!found.emailHolder.isActive) throw new AccountRefused("inactive");
      const linked = await store.linkByEmail(found.emailHolder.id, stored, now);
      if ("linked" in linked) return found.emailHolder;
      continue;
    }
    const username = candidates.find((candidate) => !found.takenUsernames.includes(candidate));
    if (!username) continue;
    const created = await store.createWithIdentity(
      { username, email: email ?? "", password: unusablePassword(), dateJoined: new Date(now), emailVerified: email !== null && emailVerified },
      stored,
      now,
    );
    if ("id" in created) return { id: created.id, isActive: true };
  }
  throw new Error("social sign-in: the account kept changing under the identity's writes");
}
