/** The PostgreSQL engine's client: connected lazily, ids refused beyond 2^53, statements counted. */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { UnsafeInteger } from "../../src/store";
import { createPostgresStore } from "../../src/store/postgres";
import { coalesceWrites } from "../../src/store/postgres/client";
import { callerOf, makeUser, newStore, openRule, rows, uniqueName } from "./store-helpers";

describe("connecting", () => {
  it("never connects for a request that needs no data", async () => {
    // Nothing listens on port 1: any attempt to connect would fail.
    const tally = { count: 0, ms: 0 };
    const store = createPostgresStore("postgres://nobody:secret@127.0.0.1:1/nothing", tally);
    const caller = store.caller({ id: 1, sessionId: "s" });
    expect(caller.identity).toEqual({ id: 1, sessionId: "s" });
    expect(tally).toEqual({ count: 0, ms: 0 });
    await expect(store.ping()).rejects.toThrow();
  });

  it("connects once per store, on its first statement", async () => {
    const before = await rows<{ n: number }>("select count(*)::int as n from pg_stat_activity where datname = current_database()");
    const store = newStore();
    await store.ping();
    await store.ping();
    const after = await rows<{ n: number }>("select count(*)::int as n from pg_stat_activity where datname = current_database()");
    expect(after[0]!.n - before[0]!.n).toBe(1);
  });
});

describe("writes", () => {
  it("sends the messages of one statement, written in one tick, in one write, and calls every callback", async () => {
    const sent: Uint8Array[] = [];
    const stream = {
      // As a socket's: write(data, callback) or write(data, encoding, callback).
      write(data: Uint8Array | string, encodingOrCallback?: unknown, callback?: (error?: Error | null) => void) {
        sent.push(data as Uint8Array);
        (typeof encodingOrCallback === "function" ? encodingOrCallback : callback)?.(null);
        return true;
      },
    };
    coalesceWrites(stream);
    const called: string[] = [];
    stream.write(new Uint8Array([1, 2]), () => called.push("parse"));
    stream.write(new Uint8Array([3]), "utf8", () => called.push("bind"));
    stream.write("S", () => called.push("sync"));
    expect(sent).toEqual([]);
    await Promise.resolve();
    expect(sent.map((chunk) => [...chunk])).toEqual([[1, 2, 3, 83]]);
    expect(called).toEqual(["parse", "bind", "sync"]);
  });
});

describe("integers beyond 2^53", () => {
  it("are refused, not rounded, in rows", async () => {
    const staff = await makeUser({ staff: true });
    const { caller } = await callerOf(staff);
    const name = uniqueName();
    await rows("insert into users (id, username, email, password, date_joined) values (9007199254740993, $1, '', 'h', now())", [name]);
    const refused = await caller.users.page(name, 0, 10).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(UnsafeInteger);
    expect((refused as UnsafeInteger).value).toBe("9007199254740993");
    // The connection still works afterwards.
    expect((await caller.users.page(staff.username, 0, 10)).rows.map((row) => row.id)).toEqual([staff.id]);
    await rows("delete from users where id = 9007199254740993");
  });

  it("are refused in slots read through JSON", async () => {
    await rows("select setval('throttle_events_id_seq', 9007199254740992)");
    const refused = await newStore().accounts.checkRegistration({ username: uniqueName(), email: "" }, [openRule()], Date.now()).catch((error: unknown) => error);
    expect(refused).toEqual(new UnsafeInteger("9007199254740993"));
    await rows("select setval('throttle_events_id_seq', (select coalesce(max(id), 1) from throttle_events where id < 9007199254740992))");
    await rows("delete from throttle_events where id >= 9007199254740992");
  });
});

it("counts the statements it sends and the time spent on them", async () => {
  const tally = { count: 0, ms: 0 };
  const store = createPostgresStore(env.HYPERDRIVE!.connectionString, tally);
  await store.ping();
  await store.accounts.checkRegistration({ username: uniqueName(), email: "" }, [openRule()], Date.now());
  // ping, then BEGIN, the keys' locks, the reservation, COMMIT.
  expect(tally.count).toBe(5);
  expect(tally.ms).toBeGreaterThanOrEqual(0);
});
