/** The feed: pages and the queue's work (placeholder: built by the feed work of issue 24). */
import type { CallerFeedStore, FeedWorkStore } from "../social";

const notBuilt = (): never => {
  throw new Error("The feed is not built yet.");
};

export function postgresCallerFeedStore(..._args: unknown[]): CallerFeedStore {
  return { page: notBuilt };
}

export function postgresFeedWorkStore(..._args: unknown[]): FeedWorkStore {
  return { run: notBuilt };
}
