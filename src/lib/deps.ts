/**
 * What services get besides their input: one shape for all of them, built from the request's
 * context here so that no service sees HTTP. Protected routes add the caller's scope.
 */
import type { Context } from "hono";
import { kvRevocationList, type RevocationList } from "../auth/revocations";
import type { Config } from "../config";
import type { CallerScope } from "../auth/caller-scope";
import type { Database } from "../db/client";
import type { AppEnv } from "../env";
import { type Mailer, bindingMailer } from "../mail/mailer";

export interface Deps {
  db: Database;
  config: Config;
  /** The KV deny-list of revoked login sessions. */
  revocations: RevocationList;
  bucket: R2Bucket;
  /** Runs work after the response is sent (bookkeeping that no answer waits for). */
  defer: (work: Promise<unknown>) => void;
  /** Mail, sent after the response. */
  mail: Mailer;
}

/** A protected route's deps: the caller's scope, through which its data access goes. */
export interface CallerDeps extends Deps {
  caller: CallerScope;
}

export function depsOf(c: Context<AppEnv>): Deps {
  const defer = (work: Promise<unknown>) => c.executionCtx.waitUntil(work);
  return {
    db: c.get("db"),
    config: c.get("config"),
    revocations: kvRevocationList(c.env.KV),
    bucket: c.env.BUCKET,
    defer,
    mail: bindingMailer(c.env.EMAIL, c.get("config").emailFrom, defer),
  };
}

export function callerDepsOf(c: Context<AppEnv>): CallerDeps {
  return { ...depsOf(c), caller: c.get("caller") };
}
