/**
 * The PostgreSQL engine (through Hyperdrive): `createPostgresStore` answers the `Store` of one
 * request. Each method is one atomic unit: one statement (a data-modifying CTE) wherever a single
 * statement is correct at READ COMMITTED, or else one short transaction, retried on serialisation
 * failures and deadlocks (./transactions.ts). Nothing CockroachDB or YugabyteDB lack: no advisory
 * locks, no LISTEN/NOTIFY, no session SET, no SERIAL, no stored functions.
 */
import { sql } from "drizzle-orm";
import type { Store } from "../index";
import { accounts } from "./accounts";
import { callerStore } from "./caller";
import { Connection, type Tally } from "./client";
import { postgresContentReads } from "./content-store";
import { postgresFeedWorkStore } from "./feed-store";
import { logins } from "./logins";
import { maintenance } from "./maintenance";
import { oauth } from "./oauth";
import { mfa } from "./mfa";
import { passkeyLogins } from "./passkeys";
import { sessions } from "./sessions";
import { signIns } from "./sign-ins";
import { statement } from "./transactions";

/**
 * The store of one request on the database `connectionString` names (the HYPERDRIVE binding's).
 * Nothing connects until a method first needs the database. `tally`, if given, counts the
 * statements sent and the time spent on them (Server-Timing).
 */
export function createPostgresStore(connectionString: string, tally?: Tally): Store {
  return openPostgresStore(connectionString, tally).store;
}

/** The same store, and a way to close its connection (Node scripts; tests that make many stores in one context). */
export function openPostgresStore(connectionString: string, tally?: Tally): { store: Store; close(): Promise<void> } {
  const connection = new Connection(connectionString, tally);
  return { store: storeOn(connection), close: () => connection.close() };
}

function storeOn(connection: Connection): Store {
  return {
    async ping() {
      await statement(connection, (db) => db.execute(sql`select 1`));
    },
    accounts: accounts(connection),
    logins: logins(connection),
    signIns: signIns(connection),
    mfa: mfa(connection),
    passkeys: passkeyLogins(connection),
    sessions: sessions(connection),
    maintenance: maintenance(connection),
    async releaseSlots(ids) {
      if (ids.length === 0) return;
      await statement(connection, (db) => db.execute(sql`delete from throttle_events where id = any(${sql.param(ids)}::bigint[])`));
    },
    content: postgresContentReads(connection),
    feedWork: postgresFeedWorkStore(connection),
    oauth: oauth(connection),
    caller: (identity) => callerStore(connection, identity),
  };
}
