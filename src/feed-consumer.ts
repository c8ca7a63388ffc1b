/**
 * The queue consumer: each message is one feed job (src/store/social.ts `FeedJob`); a chunk of it
 * runs, and its continuation, if any, goes back on the queue, so no invocation does unbounded work.
 * A job that fails is retried by the queue (a chunk is idempotent: entries are inserted with ON
 * CONFLICT DO NOTHING and deleted by key).
 */
import { configFrom } from "./config";
import type { Env } from "./env";
import { storeOf } from "./lib/storage";
import type { FeedJob } from "./store";

export async function runFeedJobs(batch: MessageBatch<FeedJob>, env: Env): Promise<void> {
  const { feedWork } = storeOf(env);
  const { feedChunk } = configFrom(env);
  for (const message of batch.messages) {
    try {
      const { next } = await feedWork.run(message.body, feedChunk, Date.now());
      if (next) await env.FEED_QUEUE.send(next);
      message.ack();
    } catch (error) {
      console.error(JSON.stringify({ level: "error", event: "feed-job-failed", job: message.body.kind, error: String(error) }));
      message.retry();
    }
  }
}
