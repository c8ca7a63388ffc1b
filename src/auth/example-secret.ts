/**
 * The JWT_SECRET of `.dev.vars.example` is public (it is in the repository): whoever holds it can
 * sign access tokens, refresh tokens and password-reset links. It is accepted in local
 * development only: PUBLIC_URL names a loopback host *and* the request was made to one.
 * PUBLIC_URL alone would not do, since a deployment may keep wrangler.toml's
 * `http://127.0.0.1:8787`; the request alone would not either, and Cloudflare never routes a
 * request for a loopback host to a deployed Worker. Anywhere else every request answers the
 * server error, and the log says why. `npm run dev` writes a random secret into `.dev.vars`,
 * and the tests set their own, so neither meets this.
 */
import type { Config } from "../config";
import { ServerMisconfigured } from "../http/errors";

export const EXAMPLE_JWT_SECRET = "replace-me-with-at-least-32-random-bytes";

const LOOPBACK_HOST = /^(localhost|127\.\d{1,3}\.\d{1,3}\.\d{1,3}|\[::1\])$/i;

const onLoopback = (url: string) => LOOPBACK_HOST.test(new URL(url).hostname);

/** Throws (a logged 500) when the example secret signs or verifies outside local development. */
export function refuseExampleSecret(config: Config, requestUrl: string): void {
  if (!config.verifyingKeys.some((key) => key.secret === EXAMPLE_JWT_SECRET)) return;
  if (onLoopback(config.publicUrl) && onLoopback(requestUrl)) return;
  throw new ServerMisconfigured(
    "JWT_SECRET or JWT_SECRETS_PREVIOUS is the public example of .dev.vars.example; refusing every request outside local development " +
      "(PUBLIC_URL and the request on localhost or 127.0.0.1). Set a random secret: openssl rand -base64 48 | npx wrangler secret put JWT_SECRET",
  );
}
