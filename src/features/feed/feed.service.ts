/** The caller's feed: one page, one statement (feed-page.ts of each engine in src/store says how it stays cheap). */
import type { Cursor } from "../../http/pagination";
import type { CallerDeps } from "../../lib/deps";
import type { Entry, PostRow } from "../../store";

export async function readFeed({ caller }: CallerDeps, { cursor, size }: { cursor?: Cursor; size: number }): Promise<Entry<PostRow>[]> {
  const { entries } = await caller.feed.page(cursor, size);
  return entries;
}
