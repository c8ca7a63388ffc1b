/** What import-django asks of a storage engine; the plan (plan.ts) and the report are shared. */
import type { ExistingUser, ImportPlan } from "./plan";

export interface ImportEngine {
  /** Names the database in reports. */
  where: string;
  /** The users already there, and the follow count. */
  existing(): Promise<{ users: ExistingUser[]; follows: number }>;
  /** Writes the plan at once (users, follows, counters); may withdraw users the database refuses (plan.withdrawUsers). */
  write(plan: ImportPlan): Promise<void>;
  follows(): Promise<number>;
}
