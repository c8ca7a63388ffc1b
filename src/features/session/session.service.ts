/** Login: one password hash whatever the outcome, so timing does not reveal who has an account. */
import { burnOneHash, hashPassword, verifyPassword } from "../../auth/passwords/hashers";
import { issueToken } from "../../auth/tokens";
import type { Config } from "../../config";
import type { Database } from "../../db/client";
import { findUserForLogin, recordLogin } from "../../db/users";
import { LoginFailed } from "../../http/errors";
import type { LoginBody } from "./session.schemas";

export interface TokenPair {
  refresh: string;
  access: string;
}

/**
 * Checks the credentials and issues a token pair. `defer` runs the bookkeeping (last_login, the
 * hash upgrade) after the response is sent.
 */
export async function login(
  db: Database,
  config: Config,
  credentials: LoginBody,
  defer: (work: Promise<unknown>) => void,
): Promise<TokenPair> {
  const user = await findUserForLogin(db, credentials.username.normalize("NFKC"));
  if (!user) {
    burnOneHash(credentials.password);
    throw new LoginFailed();
  }
  // Inactive users' passwords are checked too (as Django's ModelBackend does), for equal timing.
  const check = await verifyPassword(credentials.password, user.password);
  if (!check.valid || !user.isActive) throw new LoginFailed();

  const refresh = await issueToken(config, "refresh", user.id);
  const access = await issueToken(config, "access", user.id);
  defer(recordLogin(db, user.id, check.needsRehash ? hashPassword(credentials.password) : undefined));
  return { refresh: refresh.token, access: access.token };
}
