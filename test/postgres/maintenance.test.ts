/** The cron's clean-up on PostgreSQL. */
import { expect, it } from "vitest";
import { makeUser, newStore, rows, signIn, uniqueName } from "./store-helpers";

it("deletes expired sessions, a limited number at a time", async () => {
  const user = await makeUser();
  const live = await signIn(user);
  for (const expiresInMs of [-1_000, -2_000, -3_000]) await signIn(user, expiresInMs);
  const store = newStore();
  expect(await store.maintenance.deleteExpiredSessions(2, Date.now())).toBe(2);
  expect(await store.maintenance.deleteExpiredSessions(2, Date.now())).toBe(1);
  expect(await store.maintenance.deleteExpiredSessions(2, Date.now())).toBe(0);
  expect(await rows("select id from token_families where user_id = $1", [user.id])).toEqual([{ id: live.sessionId }]);
});

it("deletes old throttle events, and the lock rows of keys left without any", async () => {
  const [old, recent] = [uniqueName("old"), uniqueName("recent")];
  const now = Date.now();
  await rows("insert into throttle_events (key, at) values ($1, $3), ($2, $4)", [old, recent, now - 10_000, now - 10]);
  await rows("insert into throttle_locks (key) values ($1), ($2)", [old, recent]);
  await newStore().maintenance.deleteOldThrottleEvents(5_000, now);
  expect(await rows("select key from throttle_events where key in ($1, $2)", [old, recent])).toEqual([{ key: recent }]);
  expect(await rows("select key from throttle_locks where key in ($1, $2)", [old, recent])).toEqual([{ key: recent }]);
  // A reservation of the key whose lock row went creates it again.
  const { reservation } = await newStore().accounts.checkRegistration({ username: uniqueName(), email: "" }, [{ key: old, limit: 1, periodMs: 5_000 }], now);
  expect(reservation.slots).toHaveLength(1);
});

it("forgets addresses not used for 30 days", async () => {
  const user = await makeUser();
  const store = newStore();
  const now = Date.now();
  await store.logins.rememberAddress(user.id, "198.51.100.1", now - 31 * 86_400_000);
  await store.logins.rememberAddress(user.id, "198.51.100.2", now - 29 * 86_400_000);
  await store.maintenance.forgetOldAddresses(now);
  expect(await rows("select address from known_addresses where user_id = $1 and address like '198.51.100.%'", [user.id])).toEqual([{ address: "198.51.100.2" }]);
});
