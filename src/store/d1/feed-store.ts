/** The feed: pages and the queue's work (placeholder: built by the feed work of issue 24). */
import type { CallerFeedStore, FeedWorkStore } from "../social";

const notBuilt = (): never => {
  throw new Error("The feed is not built yet.");
};

export function d1CallerFeedStore(..._args: unknown[]): CallerFeedStore {
  return { page: notBuilt };
}

export function d1FeedWorkStore(..._args: unknown[]): FeedWorkStore {
  return { run: notBuilt };
}
