/**
 * The two engines' schemas agree (the core tables, the two-factor and the passkey ones): the same tables, the same columns, the same nullability (the D1
 * schema in SQLite's types, the PostgreSQL one in its own), and the users row both read is the
 * store's `UserRow`. `throttle_locks` is the one table PostgreSQL alone has (src/store/postgres/throttle.ts).
 */
import { getTableColumns } from "drizzle-orm";
import { getTableConfig as pgTableConfig, PgTable } from "drizzle-orm/pg-core";
import { getTableConfig as sqliteTableConfig, SQLiteTable } from "drizzle-orm/sqlite-core";
import { describe, expect, expectTypeOf, it } from "vitest";
import * as d1Mfa from "../../src/store/d1/mfa-schema";
import * as d1OAuth from "../../src/store/d1/oauth-schema";
import * as d1 from "../../src/store/d1/schema";
import type { UserRow } from "../../src/store";
import * as postgresMfa from "../../src/store/postgres/mfa-schema";
import * as postgresOAuth from "../../src/store/postgres/oauth-schema";
import * as d1Passkeys from "../../src/store/d1/passkeys-schema";
import * as d1Social from "../../src/store/d1/social-schema";
import * as postgresPasskeys from "../../src/store/postgres/passkeys-schema";
import * as postgresSocial from "../../src/store/postgres/social-schema";
import * as postgres from "../../src/store/postgres/schema";

const POSTGRES_ONLY = ["throttle_locks"];

/** Per table: per column (database name), its property in rows and its nullability. */
type Shape = Record<string, Record<string, { property: string; notNull: boolean }>>;

const propertyOf = (columns: Record<string, { name: string }>, name: string) => Object.entries(columns).find(([, column]) => column.name === name)?.[0];

function d1Shape(): Shape {
  const tables = [...Object.values(d1), ...Object.values(d1Mfa), ...Object.values(d1OAuth), ...Object.values(d1Passkeys), ...Object.values(d1Social)].filter((value: unknown): value is SQLiteTable => value instanceof SQLiteTable);
  return Object.fromEntries(
    tables.map((table) => {
      const config = sqliteTableConfig(table);
      const properties = getTableColumns(table);
      return [config.name, Object.fromEntries(config.columns.map((column) => [column.name, { property: propertyOf(properties, column.name)!, notNull: column.notNull }]))];
    }),
  );
}

function postgresShape(): Shape {
  const tables = [...Object.values(postgres), ...Object.values(postgresMfa), ...Object.values(postgresOAuth), ...Object.values(postgresPasskeys), ...Object.values(postgresSocial)].filter((value: unknown): value is PgTable => value instanceof PgTable);
  return Object.fromEntries(
    tables.map((table) => {
      const config = pgTableConfig(table);
      const properties = getTableColumns(table);
      return [config.name, Object.fromEntries(config.columns.map((column) => [column.name, { property: propertyOf(properties, column.name)!, notNull: column.notNull }]))];
    }),
  );
}

describe("the D1 and PostgreSQL schemas", () => {
  it("have the same tables, but PostgreSQL's documented own", () => {
    const d1Tables = Object.keys(d1Shape()).sort();
    const postgresTables = Object.keys(postgresShape()).sort();
    expect(d1Tables).toEqual([
      "blocks", "comments", "feed_entries", "follows", "known_addresses", "likes", "mfa_challenges", "mfa_recovery_codes", "mutes", "notifications",
      "oauth_codes", "passkey_challenges", "passkeys", "posts", "social_accounts", "throttle_events", "token_families", "totp_factors", "users",
    ]);
    expect(postgresTables).toEqual([...d1Tables, ...POSTGRES_ONLY].sort());
  });

  it("have the same columns in each table, with the same properties in rows and the same nullability", () => {
    const d1Tables = d1Shape();
    const postgresTables = postgresShape();
    for (const [name, columns] of Object.entries(d1Tables)) {
      expect(postgresTables[name], name).toEqual(columns);
    }
  });

  it("read users as the store's UserRow on both engines", () => {
    expectTypeOf<typeof d1.users.$inferSelect>().toEqualTypeOf<UserRow>();
    expectTypeOf<typeof postgres.users.$inferSelect>().toEqualTypeOf<UserRow>();
    expect(Object.keys(getTableColumns(postgres.users)).sort()).toEqual(Object.keys(getTableColumns(d1.users)).sort());
  });
});
