/** What import-django asks of a storage engine; the plan (plan.ts, social-plan.ts) and the report are shared. */
import type { Existing, ImportPlan } from "./plan";
import type { Counts } from "./social-sql";

/** Id ranges of the Django posts and comments: the engine reads what it holds in them (a re-run finds its own rows). */
export interface IdRanges {
  posts?: [number, number];
  comments?: [number, number];
}

export interface ImportEngine {
  /** Names the database in reports. */
  where: string;
  /** The users already there, the posts and comments in `ranges`, and the rows of each table written. */
  existing(ranges: IdRanges): Promise<Existing & { counts: Counts }>;
  /**
   * Writes the plan at once (users, follows, posts, comments, likes, notifications, the counters,
   * the imported posts' feed entries); may withdraw users the database refuses (plan.withdrawUsers).
   */
  write(plan: ImportPlan): Promise<void>;
  counts(): Promise<Counts>;
}
