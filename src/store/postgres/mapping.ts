/**
 * From raw rows to the store's plain rows. Statements here are SQL written out (CTEs Drizzle's
 * builder cannot compose), so their rows come raw: the schema's own columns map them back
 * (`mapFromDriverValue`: timestamps to Dates, ids to numbers), as Drizzle's builder would.
 */
import { type SQL, getTableColumns, sql } from "drizzle-orm";
import type { AdminUserRow, EndedSession, UserRow, WindowCount } from "../index";
import { safeInteger } from "./client";
import { users } from "./schema";

export type Raw = Record<string, unknown>;

const USER_COLUMNS = Object.entries(getTableColumns(users));

/** SQL: the users columns of `alias`, each named `<prefix><column>` (so two users can share a row). */
export function userColumns(alias: string, prefix = ""): SQL {
  return sql.raw(USER_COLUMNS.map(([, column]) => `${alias}."${column.name}" as "${prefix}${column.name}"`).join(", "));
}

/** The user in `row`'s columns named `<prefix><column>`. */
export function userRow(row: Raw, prefix = ""): UserRow {
  const user: Raw = {};
  for (const [key, column] of USER_COLUMNS) {
    const value = row[`${prefix}${column.name}`];
    user[key] = value === null || value === undefined ? null : column.mapFromDriverValue(value);
  }
  return user as unknown as UserRow;
}

/** The user in `row`'s columns with their `social_providers` (./sign-in-methods.ts: a text[], which pg reads as an array). */
export const adminUserRow = (row: Raw): AdminUserRow => ({ ...userRow(row), socialProviders: row.social_providers as string[] });

/** A timestamptz as text (Drizzle keeps them so) or in JSON, as a Date. */
export const moment = (value: unknown) => new Date(value as string);

/** A timestamptz that may be NULL. */
export const momentOrNull = (value: unknown) => (value === null || value === undefined ? null : moment(value));

/** SQL: a JSON array of the sessions in `relation` (columns id, expires_at), for one column of a row. */
export const endedJson = (relation: SQL) =>
  sql`(select coalesce(json_agg(json_build_object('id', e.id, 'expiresAt', e.expires_at)), '[]') from ${relation} e)`;

/** The sessions of an `endedJson` column. */
export const endedSessions = (value: unknown): EndedSession[] =>
  (value as { id: string; expiresAt: string }[]).map((session) => ({ id: session.id, expiresAt: moment(session.expiresAt) }));

/** SQL: a JSON array of slots (columns id, key) in `relation`, ids as text (JSON numbers would round beyond 2^53). */
export const slotsJson = (relation: SQL) =>
  sql`(select coalesce(json_agg(json_build_object('id', s.id::text, 'key', s.key) order by s.id), '[]') from ${relation} s)`;

export const slotsOf = (value: unknown) => (value as { id: string; key: string }[]).map((slot) => ({ id: safeInteger(slot.id), key: slot.key }));

/** SQL: a JSON array of window counts (columns key, attempts, oldest) in `relation`. */
export const countsJson = (relation: SQL) =>
  sql`(select coalesce(json_agg(json_build_object('key', c.key, 'attempts', c.attempts, 'oldest', c.oldest::text)), '[]') from ${relation} c)`;

export const countsOf = (value: unknown): WindowCount[] =>
  (value as { key: string; attempts: number; oldest: string | null }[]).map((count) => ({
    key: count.key,
    attempts: count.attempts,
    oldest: count.oldest === null ? null : safeInteger(count.oldest),
  }));
