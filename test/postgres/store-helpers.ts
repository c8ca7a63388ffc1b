/**
 * Store-level tests of the PostgreSQL engine: a store on this file's database (the HYPERDRIVE
 * binding, test/postgres/per-file-database.ts), a plain client to look at rows directly, and
 * factories for users and sessions.
 */
import { env } from "cloudflare:workers";
import pg from "pg";
import { afterEach } from "vitest";
import type { CallerIdentity, Store, ThrottleRule } from "../../src/store";
import { openPostgresStore } from "../../src/store/postgres";
import type { Tally } from "../../src/store/postgres";

// A test's stores are closed after it: in one test context their connections would otherwise
// stay open to the file's end, and racing tests open dozens (PostgreSQL allows 100).
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

/** A new store (a new request's), counting its statements into `tally` if given. */
export function newStore(tally?: Tally): Store {
  const { store, close } = openPostgresStore(env.HYPERDRIVE!.connectionString, tally);
  closers.push(close);
  return store;
}

/** Runs `work` on a store of its own, closed at once (factories: a test may make dozens). */
export async function withStore<T>(work: (store: Store) => Promise<T>): Promise<T> {
  const { store, close } = openPostgresStore(env.HYPERDRIVE!.connectionString);
  try {
    return await work(store);
  } finally {
    await close();
  }
}

let inspector: Promise<pg.Client> | undefined;

/** Rows read directly, outside any store (never `end()`ed: see per-file-database.ts). */
export async function rows<T = Record<string, unknown>>(text: string, values: unknown[] = []): Promise<T[]> {
  inspector ??= (async () => {
    const client = new pg.Client({ connectionString: env.HYPERDRIVE!.connectionString });
    client.on("error", () => {});
    await client.connect();
    return client;
  })();
  const result = await (await inspector).query(text, values);
  return result.rows as T[];
}

let sequence = 0;
/** A name unique within the test file. */
export function uniqueName(prefix = "user"): string {
  sequence += 1;
  return `${prefix}${sequence}${Math.random().toString(36).slice(2, 7)}`;
}

/** A generous login rule for `username` (one that never refuses). */
export const openRule = (key = uniqueName("key")): ThrottleRule => ({ key, limit: 1000, periodMs: 900_000 });

export interface Made {
  id: number;
  username: string;
  email: string;
}

/** A registered user (flags as createsuperuser would give them). */
export async function makeUser(options: { staff?: boolean; superuser?: boolean; email?: string; password?: string } = {}): Promise<Made> {
  const username = uniqueName();
  const email = options.email ?? `${username}@example.com`;
  const result = await withStore((store) => store.accounts.register(
    { username, email, password: options.password ?? "hash-1", dateJoined: new Date(), isStaff: options.staff, isSuperuser: options.superuser },
    { address: "192.0.2.1" },
    Date.now(),
  ));
  if ("taken" in result) throw new Error(`taken: ${result.taken}`);
  return { id: result.id, username, email };
}

/** A live login session of `user` (through a login's begin), as the caller identity its access token names. */
export async function signIn(user: Made, expiresInMs = 86_400_000): Promise<CallerIdentity & { jti: string }> {
  const session = { id: uniqueName("session"), jti: uniqueName("jti"), expiresAt: new Date(Date.now() + expiresInMs), userAgent: "test" };
  const begun = await withStore((store) => store.logins.begin({ rules: [openRule()], username: user.username, session }, Date.now()));
  if (!begun.started) throw new Error("no session started");
  return { id: user.id, sessionId: session.id, jti: session.jti };
}

/** A caller store for `user`, signed in now. */
export async function callerOf(user: Made, tally?: Tally) {
  const identity = await signIn(user);
  return { identity, caller: newStore(tally).caller(identity) };
}

/** Everything a refused caller might have changed, to compare before and after. */
export async function snapshot() {
  return {
    users: await rows("select * from users order by id"),
    follows: await rows("select * from follows order by id"),
    sessions: await rows("select * from token_families order by id"),
    events: await rows("select * from throttle_events order by id"),
    addresses: await rows("select * from known_addresses order by user_id, address"),
    locks: await rows("select * from throttle_locks order by key"),
  };
}

/** A transaction held open on a client of its own, to make a race run in a chosen order. */
export async function openTransaction() {
  const client = new pg.Client({ connectionString: env.HYPERDRIVE!.connectionString });
  client.on("error", () => {});
  await client.connect();
  await client.query("begin");
  return {
    query: async (text: string, values: unknown[] = []) => (await client.query(text, values)).rows,
    commit: async () => {
      await client.query("commit");
      await client.end();
    },
  };
}

/** Whether `promise` is still unsettled after `ms` (it waits on a lock). */
export async function waits(promise: Promise<unknown>, ms = 300): Promise<boolean> {
  let settled = false;
  promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  await new Promise((done) => setTimeout(done, ms));
  return !settled;
}

/**
 * Resolves once a statement on this file's database waits for a lock (the waiting side of a race
 * is in place, however slow the machine), or throws after `timeoutMs`.
 */
export async function untilWaiting(timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [waiting] = await rows<{ n: number }>("select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'");
    if (waiting!.n > 0) return;
    if (Date.now() > deadline) throw new Error(`no statement waits for a lock after ${timeoutMs} ms`);
    await new Promise((done) => setTimeout(done, 20));
  }
}
