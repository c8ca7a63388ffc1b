/** The caller's linked provider accounts: connect one (the native flow's proofs), list them, unlink one. */
import { BadRequest, NotFound, ValidationFailed } from "../../http/errors";
import { type SocialAccount, socialAccountOf } from "../../http/representations/social-accounts";
import type { CallerDeps } from "../../lib/deps";
import { identityFromBody, providerNamed } from "./identity";
import type { NativeBody } from "./social-login.schemas";

export async function connectAccount(deps: CallerDeps, input: { provider: string; body: NativeBody }): Promise<SocialAccount> {
  const provider = providerNamed(deps.config, input.provider);
  const { provider: id, uid, email, emailVerified } = await identityFromBody(provider, input.body);
  // Twice at most: on PostgreSQL a link committed by a racing request after this statement began is seen by the next one.
  for (let attempt = 0; attempt < 2; attempt += 1) {
    const { account, otherUser } = await deps.caller.socialAccounts.connect({ provider: id, uid, email, emailVerified }, Date.now());
    if (otherUser) throw new ValidationFailed({ non_field_errors: ["This account is already connected to another user."] });
    if (account) return socialAccountOf(account);
  }
  throw new Error("connect: the link neither landed nor was found");
}

export async function listAccounts(deps: CallerDeps): Promise<SocialAccount[]> {
  const { accounts } = await deps.caller.socialAccounts.list();
  return accounts.map(socialAccountOf);
}

export async function unlinkAccount(deps: CallerDeps, input: { id: number }): Promise<void> {
  const { outcome } = await deps.caller.socialAccounts.unlink(input.id);
  if (outcome === "not_found") throw new NotFound();
  if (outcome === "last_method") throw new BadRequest("You cannot remove your only way to sign in.");
}
