/** Object ids in paths: integers as in Django's `<int:pk>`; anything SQLite cannot hold is simply not found. */
import { NotFound } from "./errors";

/** Route pattern for an id segment; other text there falls through to 404. */
export const ID = "{[0-9]+}";

export function parseId(raw: string): number {
  const id = Number(raw);
  if (!Number.isSafeInteger(id) || id < 1) throw new NotFound();
  return id;
}
