/** SessionStore on PostgreSQL: refresh rotation, where a token stands, logout; and their races. */
import { describe, expect, it } from "vitest";
import { makeUser, newStore, rows, signIn, uniqueName } from "./store-helpers";

const DAY = 86_400_000;
const rowOf = async (id: string) =>
  (await rows<{ current_jti: string; previous_jti: string | null; rotated_by: string | null; revoked: boolean }>(
    "select current_jti, previous_jti, rotated_by, revoked_at is not null as revoked from token_families where id = $1",
    [id],
  ))[0];

async function signedIn() {
  const user = await makeUser();
  const identity = await signIn(user);
  return { user, identity, session: { id: identity.sessionId, userId: user.id } };
}

const rotation = (oldJti: string, client = "client-a") => ({ oldJti, newJti: uniqueName("jti"), newExpiresAt: new Date(Date.now() + DAY), client });

describe("rotate", () => {
  it("replaces the current token, recording the one it replaced and the client", async () => {
    const { identity, session } = await signedIn();
    const next = rotation(identity.jti);
    expect(await newStore().sessions.rotate(session, next, 0, Date.now())).toEqual({ kind: "rotated" });
    expect(await rowOf(session.id)).toEqual({ current_jti: next.newJti, previous_jti: identity.jti, rotated_by: "client-a", revoked: false });
  });

  it("treats a token no longer current as reuse: the session ends", async () => {
    const { identity, session } = await signedIn();
    const store = newStore();
    await store.sessions.rotate(session, rotation(identity.jti), 0, Date.now());
    const outcome = await store.sessions.rotate(session, rotation(identity.jti), 0, Date.now());
    expect(outcome).toEqual({ kind: "reused", session: { id: session.id, expiresAt: expect.any(Date) } });
    expect((await rowOf(session.id))!.revoked).toBe(true);
  });

  it("refuses the same client's reuse within the grace without ending the session; another client's is reuse", async () => {
    const { identity, session } = await signedIn();
    const store = newStore();
    await store.sessions.rotate(session, rotation(identity.jti, "tab"), 10_000, Date.now());
    expect(await store.sessions.rotate(session, rotation(identity.jti, "tab"), 10_000, Date.now())).toEqual({ kind: "within_grace" });
    expect((await rowOf(session.id))!.revoked).toBe(false);
    expect((await store.sessions.rotate(session, rotation(identity.jti, "thief"), 10_000, Date.now())).kind).toBe("reused");
  });

  it("answers unknown, revoked, expired and inactive sessions as D1 does", async () => {
    const { user, identity, session } = await signedIn();
    const store = newStore();
    expect(await store.sessions.rotate({ id: "nope", userId: user.id }, rotation("x"), 0, Date.now())).toEqual({ kind: "unknown" });
    expect(await store.sessions.rotate({ id: session.id, userId: user.id + 1000 }, rotation(identity.jti), 0, Date.now())).toEqual({ kind: "no_active_user" });
    await rows("update token_families set expires_at = now() - interval '1 second' where id = $1", [session.id]);
    expect(await store.sessions.rotate(session, rotation(identity.jti), 0, Date.now())).toEqual({ kind: "revoked", session: { id: session.id, expiresAt: expect.any(Date) } });
    await rows("update token_families set expires_at = now() + interval '1 day', revoked_at = now() where id = $1", [session.id]);
    expect((await store.sessions.rotate(session, rotation(identity.jti), 0, Date.now())).kind).toBe("revoked");
    await rows("update token_families set revoked_at = null where id = $1", [session.id]);
    await rows("update users set is_active = false where id = $1", [user.id]);
    expect(await store.sessions.rotate(session, rotation(identity.jti), 0, Date.now())).toEqual({ kind: "no_active_user" });
    expect((await rowOf(session.id))!.current_jti).toBe(identity.jti);
  });

  it("of 10 racing refreshes of one token, one rotates; one finds reuse and ends the session; the rest find it ended", async () => {
    for (let round = 0; round < 3; round += 1) {
      const { identity, session } = await signedIn();
      const outcomes = await Promise.all(Array.from({ length: 10 }, () => newStore().sessions.rotate(session, rotation(identity.jti, uniqueName("client")), 0, Date.now())));
      const kinds = outcomes.map((outcome) => outcome.kind).sort();
      expect(kinds).toEqual(["reused", "revoked", "revoked", "revoked", "revoked", "revoked", "revoked", "revoked", "revoked", "rotated"]);
      expect((await rowOf(session.id))!.revoked).toBe(true);
    }
  });

  it("of 10 racing refreshes from one client within the grace, one rotates and the others are refused, the session live", async () => {
    const { identity, session } = await signedIn();
    const outcomes = await Promise.all(Array.from({ length: 10 }, () => newStore().sessions.rotate(session, rotation(identity.jti, "same-tab"), 10_000, Date.now())));
    expect(outcomes.map((outcome) => outcome.kind).sort()).toEqual(["rotated", ...Array(9).fill("within_grace")]);
    expect((await rowOf(session.id))!.revoked).toBe(false);
  });
});

describe("standing", () => {
  it("tells a live session's current token, and an access token, as current", async () => {
    const { identity, session } = await signedIn();
    const store = newStore();
    expect(await store.sessions.standing(session, { jti: identity.jti, client: "c" }, 0, Date.now())).toEqual({ state: "current", userActive: true });
    expect(await store.sessions.standing(session, undefined, 0, Date.now())).toEqual({ state: "current", userActive: true });
  });

  it("ends the session of a refresh token no longer current, except the same client's within the grace", async () => {
    const { identity, session } = await signedIn();
    const store = newStore();
    await store.sessions.rotate(session, rotation(identity.jti, "tab"), 10_000, Date.now());
    expect(await store.sessions.standing(session, { jti: identity.jti, client: "tab" }, 10_000, Date.now())).toEqual({ state: "not_current", userActive: true });
    expect(await store.sessions.standing(session, { jti: identity.jti, client: "other" }, 10_000, Date.now())).toEqual({
      state: "not_current",
      userActive: true,
      ended: { id: session.id, expiresAt: expect.any(Date) },
    });
    expect(await store.sessions.standing(session, undefined, 0, Date.now())).toEqual({ state: "revoked", userActive: true });
  });

  it("tells unknown and expired sessions, and an inactive user", async () => {
    const { user, session } = await signedIn();
    const store = newStore();
    expect(await store.sessions.standing({ id: "nope", userId: user.id }, undefined, 0, Date.now())).toEqual({ state: "unknown", userActive: true });
    await rows("update token_families set expires_at = now() - interval '1 second' where id = $1", [session.id]);
    expect(await store.sessions.standing(session, undefined, 0, Date.now())).toEqual({ state: "unknown", userActive: true });
    await rows("update users set is_active = false where id = $1", [user.id]);
    expect((await store.sessions.standing(session, undefined, 0, Date.now())).userActive).toBe(false);
  });

  it("of racing checks of a reused token, one ends the session and the others find it ended", async () => {
    const { identity, session } = await signedIn();
    await newStore().sessions.rotate(session, rotation(identity.jti), 0, Date.now());
    const results = await Promise.all(Array.from({ length: 10 }, () => newStore().sessions.standing(session, { jti: identity.jti, client: "c" }, 0, Date.now())));
    expect(results.filter((result) => result.ended)).toHaveLength(1);
    expect(results.filter((result) => result.state === "revoked")).toHaveLength(9);
  });
});

describe("end (logout)", () => {
  it("ends the session and tells where the token stood", async () => {
    const { identity, session } = await signedIn();
    const store = newStore();
    expect(await store.sessions.end(session, identity.jti, Date.now())).toEqual({ state: "current", ended: { id: session.id, expiresAt: expect.any(Date) } });
    expect(await store.sessions.end(session, identity.jti, Date.now())).toEqual({ state: "revoked" });
    expect(await store.sessions.end({ id: "nope", userId: 1 }, "x", Date.now())).toEqual({ state: "unknown" });
  });

  it("ends the session of a token no longer current too", async () => {
    const { identity, session } = await signedIn();
    await newStore().sessions.rotate(session, rotation(identity.jti), 0, Date.now());
    expect(await newStore().sessions.end(session, identity.jti, Date.now())).toEqual({ state: "not_current", ended: { id: session.id, expiresAt: expect.any(Date) } });
  });

  it("of 10 racing logouts with one token, one ends the session and the others find it ended", async () => {
    const { identity, session } = await signedIn();
    const results = await Promise.all(Array.from({ length: 10 }, () => newStore().sessions.end(session, identity.jti, Date.now())));
    expect(results.filter((result) => result.state === "current" && result.ended)).toHaveLength(1);
    expect(results.filter((result) => result.state === "revoked" && !result.ended)).toHaveLength(9);
  });
});
