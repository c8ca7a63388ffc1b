/**
 * The guard behind every `CallerStore` method on D1: a signed-in caller's statements run in one
 * batch behind a guard statement (src/store/d1/caller.ts) that fails unless the caller is an
 * active user whose login session is live. D1 runs a batch as one transaction, so when the guard
 * fails the whole batch fails: no write of a refused caller ever lands. It costs no round trip:
 * the guard, which also reads the caller's row, rides in the same batch as the work.
 */
import type { BatchItem, BatchResponse } from "drizzle-orm/batch";
import { CallerRefused } from "../errors";
import type { Caller, CallerIdentity } from "../store";
import { callerGuard, callerState, isGuardFailure } from "./caller";
import type { Database } from "./client";

export class CallerScope {
  constructor(
    readonly db: Database,
    readonly identity: CallerIdentity,
  ) {}

  get id(): number {
    return this.identity.id;
  }

  /** Runs `statements` in one batch behind the caller's guard; answers the caller and their results. */
  async batch<const T extends readonly BatchItem<"sqlite">[]>(statements: T): Promise<{ caller: Caller; results: BatchResponse<T> }> {
    const all = [callerGuard(this.db, this.identity), ...statements] as unknown as [BatchItem<"sqlite">];
    const [guard, ...results] = await this.guarded(() => this.db.batch(all));
    return { caller: callerOf(guard), results: results as BatchResponse<T> };
  }

  /** The caller alone, checked: their row (for work that must know who calls before it can start). */
  async check(): Promise<Caller> {
    // The guard alone is one statement, not a batch of one (the same round trip, less work for D1).
    return callerOf(await this.guarded(() => callerGuard(this.db, this.identity)));
  }

  /** What `run` answers, or the caller's refusal when the guard failed it. */
  private async guarded<R>(run: () => PromiseLike<R>): Promise<R> {
    try {
      return await run();
    } catch (error) {
      if (isGuardFailure(error)) throw await this.refusal();
      throw error;
    }
  }

  /** Why the guard refused: the user is gone, inactive, or their session has ended. */
  private async refusal(): Promise<CallerRefused> {
    const user = await callerState(this.db, this.id);
    if (!user) return new CallerRefused("user_not_found");
    if (!user.isActive) return new CallerRefused("user_inactive");
    return new CallerRefused("session_ended");
  }
}

/** The caller's row from the guard's rows (without the guard's own `allowed` column). */
function callerOf(rows: unknown): Caller {
  const [{ allowed: _allowed, ...caller }] = rows as [Caller & { allowed: unknown }];
  return caller;
}
