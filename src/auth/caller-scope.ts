/**
 * Authorization as structure: a protected route's data access goes through `CallerScope`, which
 * runs every batch behind a guard statement on the caller (an active user whose login session
 * is live). When the guard fails the whole batch fails (D1 runs a batch as one transaction), so
 * no write of a refused caller ever lands and no handler can forget the check. It costs no round
 * trip: the guard, which also reads the caller's row, rides in the same batch as the work.
 */
import type { BatchItem, BatchResponse } from "drizzle-orm/batch";
import { type CallerIdentity, callerGuard, callerState, isGuardFailure } from "../db/caller";
import type { Database } from "../db/client";
import type { UserRow } from "../db/schema";
import { InvalidAccessToken, UserInactive, UserNotFound } from "../http/errors";

/** The caller's row as the guard read it, in the same transaction as the batch's statements (read before them). */
export type Caller = UserRow;

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

  /** Why the guard refused: simplejwt's answers for a deleted or inactive user, else the ended session's bad-token 401. */
  private async refusal(): Promise<Error> {
    const user = await callerState(this.db, this.id);
    if (!user) return new UserNotFound();
    if (!user.isActive) return new UserInactive();
    return new InvalidAccessToken("Token is invalid or expired");
  }
}

/** The caller's row from the guard's rows (without the guard's own `allowed` column). */
function callerOf(rows: unknown): Caller {
  const [{ allowed: _allowed, ...caller }] = rows as [Caller & { allowed: unknown }];
  return caller;
}
