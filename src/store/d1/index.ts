/**
 * The D1 engine: the `Store` over one D1 database, or a D1 Sessions API session of it (read
 * replication: reads may be served by a replica, writes go to the primary).
 */
import { sql } from "drizzle-orm";
import type { Store } from "../store";
import { d1AccountStore } from "./account-store";
import { d1CallerStore } from "./caller-store";
import { createDatabase } from "./client";
import { d1ContentReads } from "./content-store";
import { d1FeedWorkStore } from "./feed-store";
import { d1LoginStore } from "./login-store";
import { d1OAuthStore } from "./oauth-store";
import { d1MfaStore } from "./mfa-store";
import { d1PasskeyStore } from "./passkey-store";
import { d1MaintenanceStore, d1SessionStore } from "./session-store";
import { d1SignInStore } from "./sign-in-store";
import { releaseSlots } from "./throttle";

export function createD1Store(d1: D1Database | D1DatabaseSession): Store {
  const db = createDatabase(d1);
  return {
    async ping() {
      await db.run(sql`select 1`);
    },
    accounts: d1AccountStore(db),
    logins: d1LoginStore(db),
    signIns: d1SignInStore(db),
    mfa: d1MfaStore(db),
    passkeys: d1PasskeyStore(db),
    sessions: d1SessionStore(db),
    maintenance: d1MaintenanceStore(db),
    async releaseSlots(ids) {
      if (ids.length > 0) await releaseSlots(db, ids).run();
    },
    content: d1ContentReads(db),
    feedWork: d1FeedWorkStore(db),
    oauth: d1OAuthStore(db),
    caller: (identity) => d1CallerStore(db, identity),
  };
}
