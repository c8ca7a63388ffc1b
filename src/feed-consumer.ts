/**
 * The queue consumer: each message is one feed job (src/store/social.ts `FeedJob`). Its chunks run
 * one after another (each one statement or batch doing at most FEED_CHUNK rows, answering the job
 * that continues it) until the job is done or the message's budget is spent; the continuation
 * then goes back on the queue, so no invocation does unbounded work, and a fan-out below
 * FEED_PULL_THRESHOLD (10 chunks at the defaults) completes in one delivery rather than one per
 * chunk (each delivery may wait max_batch_timeout).
 *
 * Chunks are idempotent (entries inserted with ON CONFLICT DO NOTHING, deleted by key, flags set
 * to what they already are): a message that fails before any chunk succeeded is retried whole by
 * the queue; one that fails after some chunks hands the queue the continuation of the last chunk
 * done instead (and is retried whole if even that send fails). A message that is no feed job can
 * never succeed: it is logged and acknowledged.
 */
import { configFrom } from "./config";
import type { Env } from "./env";
import { storeOf } from "./lib/storage";
import type { FeedJob, FeedWorkStore } from "./store";

/** At most this many chunks, and this long, per message before the rest goes back on the queue. */
export const MESSAGE_BUDGET = { chunks: 20, ms: 10_000 };

const KINDS = new Set(["fan_out", "promote", "backfill", "purge"]);

function isFeedJob(body: unknown): body is FeedJob {
  return typeof body === "object" && body !== null && KINDS.has((body as { kind?: unknown }).kind as string);
}

const log = (event: string, fields: Record<string, unknown>) => console.error(JSON.stringify({ level: "error", event, ...fields }));

export async function runFeedJobs(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const { feedWork } = storeOf(env);
  const { feedChunk } = configFrom(env);
  for (const message of batch.messages) await runFeedMessage(message, feedWork, feedChunk, env.FEED_QUEUE);
}

/** One message: its job's chunks within the budget, then its ack (with the continuation sent first) or its retry. */
export async function runFeedMessage(message: Message<unknown>, feedWork: FeedWorkStore, chunk: number, queue: Pick<Queue<FeedJob>, "send">): Promise<void> {
  const job = message.body;
  if (!isFeedJob(job)) {
    log("feed-job-unknown", { id: message.id });
    message.ack();
    return;
  }
  const started = Date.now();
  let next: FeedJob | undefined = job;
  let chunks = 0;
  try {
    while (next && chunks < MESSAGE_BUDGET.chunks && Date.now() - started < MESSAGE_BUDGET.ms) {
      next = (await feedWork.run(next, chunk, Date.now())).next;
      chunks += 1;
    }
  } catch (error) {
    log("feed-job-failed", { job: job.kind, chunks, error: String(error) });
    if (chunks === 0) {
      message.retry();
      return;
    }
  }
  try {
    if (next) await queue.send(next);
    message.ack();
  } catch (error) {
    log("feed-job-unsent", { job: job.kind, error: String(error) });
    message.retry();
  }
}
