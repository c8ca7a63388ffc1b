/**
 * Names the client presenting a refresh token (its User-Agent and address) for the reuse grace,
 * without keeping either: an HMAC under JWT_SECRET, so the stored value says nothing by itself.
 */
import { type Config, signingSecret } from "../config";
import { saltedHmacHex } from "./salted-hmac";

export interface RefreshClient {
  userAgent: string | null;
  /** As throttling keys it (`clientAddress`): an IPv6 client by its /56. */
  address: string;
}

export function refreshClientId(config: Config, client: RefreshClient): Promise<string> {
  return saltedHmacHex("refresh-client", signingSecret(config), JSON.stringify([client.userAgent, client.address]));
}
