/**
 * SQL conditions on blocks and mutes, shared by the statements that honour them (follows,
 * notifications, relationships): each is an index lookup (blocks_pair, mutes_pair).
 */
import { and, eq, exists, or, sql } from "drizzle-orm";
import { type SQLiteColumn, alias } from "drizzle-orm/sqlite-core";
import type { Database } from "./client";
import { blocks, mutes } from "./social-schema";

type UserRef = number | SQLiteColumn;

/** A subquery for `exists(...)`: `blocker` blocks `blocked`. */
export function blocking(db: Database, blocker: UserRef, blocked: UserRef) {
  const b = alias(blocks, "block_of");
  return db.select({ one: sql`1` }).from(b).where(and(eq(b.blockerId, blocker), eq(b.blockedId, blocked)));
}

/** SQL: a block stands between `a` and `b`, either way (two lookups of blocks_pair). */
export function blockedEitherWay(db: Database, a: UserRef, b: UserRef) {
  return or(exists(blocking(db, a, b)), exists(blocking(db, b, a)))!;
}

/** A subquery for `exists(...)`: `muter` mutes `muted`. */
export function muting(db: Database, muter: UserRef, muted: UserRef) {
  const m = alias(mutes, "mute_of");
  return db.select({ one: sql`1` }).from(m).where(and(eq(m.muterId, muter), eq(m.mutedId, muted)));
}

/** SQL: what `viewer` does not see of `actor` in their notifications (a mute, or a block either way). */
export function hiddenFrom(db: Database, viewer: number, actor: SQLiteColumn) {
  return or(exists(muting(db, viewer, actor)), blockedEitherWay(db, viewer, actor))!;
}
