/** The caller's row as every authenticated handler needs it, read in the same batch as its data. */
import { eq } from "drizzle-orm";
import type { Database } from "./client";
import { users } from "./schema";

export function selectCaller(db: Database, id: number) {
  return db.select({ id: users.id, isActive: users.isActive, isStaff: users.isStaff }).from(users).where(eq(users.id, id));
}
