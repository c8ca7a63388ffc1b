/**
 * What services get besides their input, built from the request's context here so that no
 * service sees HTTP. A public route's service gets the store; a protected route's gets the
 * caller's store instead (and nothing else of storage), so every read and write it makes is
 * checked against the caller with its work.
 */
import type { Context } from "hono";
import { kvRevocationList, type RevocationList } from "../auth/revocations";
import type { Config } from "../config";
import type { AppEnv } from "../env";
import { type Mailer, bindingMailer } from "../mail/mailer";
import { type FeedQueue, bindingFeedQueue } from "./feed-queue";
import type { CallerContentStore, CallerStore, ContentReads, Store } from "../store";

/** What every service gets besides storage. */
export interface BaseDeps {
  config: Config;
  /** The KV deny-list of revoked login sessions. */
  revocations: RevocationList;
  bucket: R2Bucket;
  /** Runs work after the response is sent (bookkeeping that no answer waits for). */
  defer: (work: Promise<unknown>) => void;
  /** Mail, sent after the response. */
  mail: Mailer;
  /** The feed's background work, sent after the response. */
  feed: FeedQueue;
}

/** A public route's deps. */
export interface Deps extends BaseDeps {
  store: Store;
}

/** A protected route's deps: the caller's store, through which all its data access goes. */
export interface CallerDeps extends BaseDeps {
  caller: CallerStore;
}

function baseDepsOf(c: Context<AppEnv>): BaseDeps {
  const defer = (work: Promise<unknown>) => c.executionCtx.waitUntil(work);
  return {
    config: c.get("config"),
    revocations: kvRevocationList(c.env.KV),
    bucket: c.env.BUCKET,
    defer,
    mail: bindingMailer(c.env.EMAIL, c.get("config").emailFrom, defer),
    feed: bindingFeedQueue(c.env.FEED_QUEUE, defer),
  };
}

export function depsOf(c: Context<AppEnv>): Deps {
  return { ...baseDepsOf(c), store: c.get("store") };
}

export function callerDepsOf(c: Context<AppEnv>): CallerDeps {
  return { ...baseDepsOf(c), caller: c.get("caller") };
}

/**
 * A route anyone may call (optional bearer): the content reads as this request's reader sees
 * them, through the caller's guard when there is a caller, anonymous otherwise.
 */
export interface ReaderDeps extends BaseDeps {
  content: ContentReads | CallerContentStore;
  /** The signed-in reader, if any. */
  caller?: CallerStore;
}

export function readerDepsOf(c: Context<AppEnv>): ReaderDeps {
  const caller = c.get("caller") as CallerStore | undefined;
  return { ...baseDepsOf(c), content: caller?.content ?? c.get("store").content, caller };
}
