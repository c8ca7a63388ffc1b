/** The Worker entry point. */
import argon2Wasm from "@phi-ag/argon2/argon2.wasm";
import { app } from "./app";
import { loadArgon2 } from "./auth/passwords/argon2";
import type { Env } from "./env";
import { runFeedJobs } from "./feed-consumer";
import { removeExpiredLoginSessions } from "./scheduled";
import type { FeedJob } from "./store";

loadArgon2(argon2Wasm);

export type { AppType } from "./app";

export default {
  fetch: app.fetch,
  async scheduled(_controller, env, ctx) {
    ctx.waitUntil(removeExpiredLoginSessions(env));
  },
  queue: (batch, env) => runFeedJobs(batch, env),
} satisfies ExportedHandler<Env, FeedJob>;
