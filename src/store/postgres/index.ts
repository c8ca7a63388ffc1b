/** The PostgreSQL engine (placeholder until its implementation lands from its branch). */
import type { Store } from "../store";

export function createPostgresStore(_connectionString: string, _tally?: { count: number; ms: number }): Store {
  throw new Error("The PostgreSQL engine is not built yet.");
}
