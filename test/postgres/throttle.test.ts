/** Throttle reservations on PostgreSQL: all or nothing across rules, never overshot by concurrent requests. */
import { describe, expect, it } from "vitest";
import type { ThrottleRule } from "../../src/store";
import { makeUser, newStore, rows, uniqueName } from "./store-helpers";

const wanted = () => ({ username: uniqueName(), email: `${uniqueName()}@example.com` });

/** The events counted under `key`. */
const eventsOf = async (key: string) => (await rows<{ n: number }>("select count(*)::int as n from throttle_events where key = $1", [key]))[0]!.n;

describe("reservations", () => {
  it("takes one slot per rule while every rule is under its limit, and reports the window", async () => {
    const a: ThrottleRule = { key: uniqueName("a"), limit: 2, periodMs: 60_000 };
    const b: ThrottleRule = { key: uniqueName("b"), limit: 5, periodMs: 60_000 };
    const now = Date.now();
    const first = await newStore().accounts.checkRegistration(wanted(), [a, b], now);
    expect(first.reservation.slots).toHaveLength(2);
    expect(first.reservation.counts.sort((x, y) => x.key.localeCompare(y.key))).toEqual(
      [
        { key: a.key, attempts: 1, oldest: now },
        { key: b.key, attempts: 1, oldest: now },
      ].sort((x, y) => x.key.localeCompare(y.key)),
    );
    await newStore().accounts.checkRegistration(wanted(), [a, b], now + 1);
    const refused = await newStore().accounts.checkRegistration(wanted(), [a, b], now + 2);
    // A full: nothing is counted under B either.
    expect(refused.reservation.slots).toEqual([]);
    expect(refused.reservation.counts.find((count) => count.key === a.key)).toEqual({ key: a.key, attempts: 2, oldest: now });
    expect(await eventsOf(a.key)).toBe(2);
    expect(await eventsOf(b.key)).toBe(2);
  });

  it("counts only attempts inside each rule's window", async () => {
    const rule: ThrottleRule = { key: uniqueName(), limit: 1, periodMs: 1_000 };
    const now = Date.now();
    expect((await newStore().accounts.checkRegistration(wanted(), [rule], now - 5_000)).reservation.slots).toHaveLength(1);
    const again = await newStore().accounts.checkRegistration(wanted(), [rule], now);
    expect(again.reservation.slots).toHaveLength(1);
    expect(again.reservation.counts).toEqual([{ key: rule.key, attempts: 1, oldest: now }]);
  });

  it("never overshoots a limit under 20 concurrent requests, and never counts a request under some rules only", async () => {
    // Three rounds: one race may happen to run in order; three rarely all do.
    for (let round = 0; round < 3; round += 1) {
      const narrow: ThrottleRule = { key: uniqueName("narrow"), limit: 3, periodMs: 60_000 };
      const wide: ThrottleRule = { key: uniqueName("wide"), limit: 7, periodMs: 60_000 };
      const now = Date.now();
      // Half the requests count under both rules, half under the wide one alone.
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => newStore().accounts.checkRegistration(wanted(), i % 2 === 0 ? [narrow, wide] : [wide], now)),
      );
      const granted = results.map((result, i) => ({ both: i % 2 === 0, slots: result.reservation.slots.length }));
      for (const request of granted) expect([0, request.both ? 2 : 1]).toContain(request.slots);
      expect(await eventsOf(narrow.key)).toBe(granted.filter((request) => request.both && request.slots > 0).length);
      expect(await eventsOf(narrow.key)).toBeLessThanOrEqual(3);
      expect(await eventsOf(wide.key)).toBe(7);
      expect(granted.filter((request) => request.slots > 0)).toHaveLength(7);
    }
  });

  it("gives slots back", async () => {
    const rule: ThrottleRule = { key: uniqueName(), limit: 1, periodMs: 60_000 };
    const store = newStore();
    const { reservation } = await store.accounts.checkRegistration(wanted(), [rule], Date.now());
    await store.releaseSlots(reservation.slots);
    expect(await eventsOf(rule.key)).toBe(0);
    expect((await newStore().accounts.checkRegistration(wanted(), [rule], Date.now())).reservation.slots).toHaveLength(1);
  });
});

describe("rules unless known", () => {
  it("neither checks nor counts a rule from an address the account logged in from lately", async () => {
    const user = await makeUser();
    const store = newStore();
    const now = Date.now();
    await store.logins.rememberAddress(user.id, "198.51.100.7", now - 1_000);
    const known: ThrottleRule = { key: uniqueName("known"), limit: 0, periodMs: 60_000, unlessKnown: { username: user.username.toUpperCase(), address: "198.51.100.7" } };
    const always: ThrottleRule = { key: uniqueName("always"), limit: 5, periodMs: 60_000 };
    const { reservation } = await store.accounts.checkRegistration(wanted(), [always, known], now);
    expect(reservation.slots).toHaveLength(1);
    expect(reservation.counts).toEqual([{ key: always.key, attempts: 1, oldest: now }]);
    expect(await eventsOf(known.key)).toBe(0);
  });

  it("applies from an address not known to the account, or known too long ago", async () => {
    const user = await makeUser();
    const store = newStore();
    const now = Date.now();
    await store.logins.rememberAddress(user.id, "198.51.100.8", now - 31 * 86_400_000);
    for (const address of ["198.51.100.8", "198.51.100.9"]) {
      const rule: ThrottleRule = { key: uniqueName(), limit: 0, periodMs: 60_000, unlessKnown: { username: user.username, address } };
      const { reservation } = await store.accounts.checkRegistration(wanted(), [rule], now);
      expect(reservation).toEqual({ slots: [], counts: [] });
    }
  });
});
