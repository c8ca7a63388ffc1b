/** Social login's failures, named for what they mean (the service maps them to the contract's answers). */

/** What the app is told in the browser flow's `#error=` (API.md). */
export type FlowError = "access_denied" | "invalid_state" | "email_taken" | "inactive" | "server_error";

/** A token, code or identity the provider did not vouch for (a bad signature, audience, issuer, expiry, a code it refused). */
export class IdentityRejected extends Error {
  override name = "IdentityRejected";
  constructor(
    reason: string,
    /** The ID token's nonce was not the one this browser's login started with: a code injected from another login. */
    readonly nonceMismatch = false,
  ) {
    super(reason);
  }
}

/** The provider could not be reached or answered nonsense (discovery, keys, user API): a fault, not the client's. */
export class ProviderUnavailable extends Error {
  override name = "ProviderUnavailable";
}
