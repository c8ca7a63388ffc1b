/** Recognises D1's unique-index failures so a lost race becomes the same 400 as a taken name. */

import type { UniqueField } from "../rows";

const INDEX_FIELDS: [string, UniqueField][] = [
  ["users_username_ci", "username"],
  ["users_email_ci", "email"],
];

/** The user field whose unique index refused a write, if that is what `error` is. */
export function uniqueViolation(error: unknown): UniqueField | undefined {
  for (let cause = error; cause instanceof Error; cause = cause.cause) {
    if (!cause.message.includes("UNIQUE constraint failed")) continue;
    return INDEX_FIELDS.find(([index]) => cause instanceof Error && cause.message.includes(index))?.[1];
  }
  return undefined;
}

/** Runs a write; a unique index refusing it (a lost race) is returned as the field, other errors are thrown. */
export async function orTakenField<T>(write: () => Promise<T>): Promise<T | { taken: UniqueField }> {
  try {
    return await write();
  } catch (error) {
    const taken = uniqueViolation(error);
    if (taken) return { taken };
    throw error;
  }
}
