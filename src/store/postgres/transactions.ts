/**
 * How a unit of work runs: one statement, or one short transaction (BEGIN ... COMMIT) at the
 * server's default isolation (READ COMMITTED on PostgreSQL; SERIALIZABLE on CockroachDB, which is
 * stronger). Either is retried, whole, on a serialisation failure (40001: CockroachDB asks its
 * clients to) or a deadlock (40P01: two units locked rows in opposite orders and the server
 * rolled one back), a few times with a small jittered backoff.
 */
import { sql } from "drizzle-orm";
import { UnsafeInteger } from "../errors";
import type { Connection, Database } from "./client";
import { isForeignKeyViolation, isRetryable } from "./errors";

const ATTEMPTS = 5;
const BACKOFF_MS = 8;

interface RetryOptions {
  /**
   * Also run again on a foreign-key violation: a row the statement read was deleted before it
   * committed, and a new attempt (a new snapshot) sees it gone and answers as for any missing row.
   */
  foreignKeys?: boolean;
}

async function retrying<T>(work: () => Promise<T>, options: RetryOptions): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await work();
    } catch (error) {
      const again = isRetryable(error) || (options.foreignKeys === true && isForeignKeyViolation(error));
      if (!again || attempt >= ATTEMPTS) throw named(error);
      await new Promise((done) => setTimeout(done, BACKOFF_MS * 2 ** attempt * Math.random()));
    }
  }
}

/** The store's own failure inside a driver's error (Drizzle wraps what a type parser throws), else the error. */
function named(error: unknown): unknown {
  for (let cause = error; cause instanceof Error; cause = cause.cause) {
    if (cause instanceof UnsafeInteger) return cause;
  }
  return error;
}

/** One statement (a single statement is atomic by itself: no BEGIN, one round trip). */
export function statement<T>(connection: Connection, work: (db: Database) => Promise<T>, options: RetryOptions = {}): Promise<T> {
  return connection.exclusive((db) => retrying(() => work(db), options));
}

/** One transaction: `work`'s statements commit together or not at all (throwing rolls back). */
export function transaction<T>(connection: Connection, work: (db: Database) => Promise<T>, options: RetryOptions = {}): Promise<T> {
  return connection.exclusive((db) =>
    retrying(async () => {
      await db.execute(sql`begin`);
      let result: T;
      try {
        result = await work(db);
      } catch (error) {
        // A broken connection cannot roll back: the server does, when it sees the connection go.
        await db.execute(sql`rollback`).catch(() => undefined);
        throw error;
      }
      try {
        await db.execute(sql`commit`);
      } catch (error) {
        await db.execute(sql`rollback`).catch(() => undefined);
        throw error;
      }
      return result;
    }, options),
  );
}
