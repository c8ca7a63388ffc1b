/**
 * The feed's work, handed to Cloudflare Queues (FEED_QUEUE) after the response: a request never
 * fans a post out itself. The consumer (src/feed-consumer.ts) runs each job one bounded chunk at
 * a time.
 */
import type { FeedJob } from "../store";

export interface FeedQueue {
  /** Sends `job` after the response. */
  enqueue(job: FeedJob): void;
}

export function bindingFeedQueue(queue: Queue<FeedJob>, defer: (work: Promise<unknown>) => void): FeedQueue {
  return { enqueue: (job) => defer(queue.send(job)) };
}
