/** The caller's row as every authenticated handler needs it, and the guards that writes put on it. */
import { and, eq, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/sqlite-core";
import type { Database } from "./client";
import { users } from "./schema";

export function selectCaller(db: Database, id: number) {
  return db.select({ id: users.id, isActive: users.isActive, isStaff: users.isStaff }).from(users).where(eq(users.id, id));
}

/** A subquery for `exists(...)`: user `id` is active. Aliased, so it can sit inside statements on users. */
export function activeUser(db: Database, id: number) {
  const u = alias(users, "active_user");
  return db.select({ one: sql`1` }).from(u).where(and(eq(u.id, id), eq(u.isActive, true)));
}

/** A subquery for `exists(...)`: user `id` exists. */
export function anyUser(db: Database, id: number) {
  const u = alias(users, "any_user");
  return db.select({ one: sql`1` }).from(u).where(eq(u.id, id));
}
