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
    let results: unknown[];
    try {
      const guard = callerGuard(this.db, this.identity);
      // The guard alone is one statement, not a batch of one (less work for D1, same round trip).
      results = statements.length === 0 ? [await guard] : await this.db.batch([guard, ...statements] as unknown as [BatchItem<"sqlite">]);
    } catch (error) {
      if (isGuardFailure(error)) throw await this.refusal();
      throw error;
    }
    const [[row], ...rest] = results as [(Caller & { allowed: unknown })[], ...unknown[]];
    const { allowed: _allowed, ...caller } = row!;
    return { caller: caller as Caller, results: rest as BatchResponse<T> };
  }

  /** The caller alone, checked: their row (for work that must know who calls before it can start). */
  async check(): Promise<Caller> {
    return (await this.batch([])).caller;
  }

  /** Why the guard refused: simplejwt's answers for a deleted or inactive user, else the ended session's bad-token 401. */
  private async refusal(): Promise<Error> {
    const user = await callerState(this.db, this.id);
    if (!user) return new UserNotFound();
    if (!user.isActive) return new UserInactive();
    return new InvalidAccessToken("Token is invalid or expired");
  }
}
