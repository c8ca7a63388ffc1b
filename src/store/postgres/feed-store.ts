/** The feed on PostgreSQL: the caller's pages (./feed-page.ts) and the queue consumer's work (./feed-work.ts). */
import type { CallerFeedStore, CallerIdentity } from "../index";
import type { Connection } from "./client";
import { postgresFeedPage } from "./feed-page";

export { postgresFeedWorkStore } from "./feed-work";

export function postgresCallerFeedStore(connection: Connection, identity: CallerIdentity): CallerFeedStore {
  return { page: postgresFeedPage(connection, identity) };
}
