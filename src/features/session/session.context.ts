/** What the session operations need from a request: its database, config, KV deny-list and waitUntil. */
import type { Context } from "hono";
import { kvRevocationList } from "../../auth/revocations";
import type { AppEnv } from "../../env";
import type { SessionContext } from "./session.service";

export function sessionContext(c: Context<AppEnv>): SessionContext {
  return {
    db: c.var.db,
    config: c.var.config,
    revocations: kvRevocationList(c.env.KV),
    defer: (work) => c.executionCtx.waitUntil(work),
  };
}
