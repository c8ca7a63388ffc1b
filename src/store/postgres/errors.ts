/** PostgreSQL's failures, by SQLSTATE (Drizzle wraps the driver's error: the code is on a cause). */
import type { UniqueField } from "../rows";

interface DatabaseFailure {
  code: string;
  constraint?: string;
}

/** The database's own error inside `error` (Drizzle's DrizzleQueryError holds it as `cause`). */
export function databaseFailure(error: unknown): DatabaseFailure | undefined {
  for (let cause = error; cause instanceof Error; cause = cause.cause) {
    const code = (cause as Partial<DatabaseFailure>).code;
    if (typeof code === "string" && /^[0-9A-Z]{5}$/.test(code)) return cause as unknown as DatabaseFailure;
  }
  return undefined;
}

/** serialization_failure and deadlock_detected: the unit was rolled back whole and may run again. */
export const isRetryable = (error: unknown) => ["40001", "40P01"].includes(databaseFailure(error)?.code ?? "");

/** foreign_key_violation: a row this write refers to was deleted while it ran. */
export const isForeignKeyViolation = (error: unknown) => databaseFailure(error)?.code === "23503";

const UNIQUE_INDEXES: Record<string, UniqueField> = { users_username_ci: "username", users_email_ci: "email" };

/** The user field whose unique index refused a write (unique_violation, 23505), if that is what `error` is. */
export function takenField(error: unknown): UniqueField | undefined {
  const failure = databaseFailure(error);
  return failure?.code === "23505" ? UNIQUE_INDEXES[failure.constraint ?? ""] : undefined;
}

/** Runs a write; a unique index of users refusing it (a lost race) is returned as the field, other errors are thrown. */
export async function orTaken<T>(write: () => Promise<T>): Promise<T | { taken: UniqueField }> {
  try {
    return await write();
  } catch (error) {
    const taken = takenField(error);
    if (taken) return { taken };
    throw error;
  }
}
