/** The outside review's findings, each as the attack it described. */
import { describe, expect, it } from "vitest";
import { BLACKLISTED, PASSWORD, call, callWithEnv, decodeJwt, login, signedInUser, refreshWith, registerUser, insertUserRow, setFlags, uniqueName, verifyWith } from "./helpers";
import { dbRow, dbRun } from "./db";

const from = (ip: string) => ({ "CF-Connecting-IP": ip });
const LIMITS = { THROTTLE_LOGIN_USER_ADDRESS: "5/900", THROTTLE_LOGIN_ADDRESS: "30/900", THROTTLE_LOGIN_USER: "20/3600" };
const loginFrom = (ip: string, username: string, password: string) =>
  callWithEnv(LIMITS, "POST", "/api/auth/login/", { username, password }, undefined, from(ip));
const THROTTLED = { detail: expect.stringMatching(/^Request was throttled\. Expected available in \d+ seconds\.$/) };
const BAD_ACCESS_TOKEN = {
  detail: "Given token not valid for any token type",
  code: "token_not_valid",
  messages: [{ token_class: "AccessToken", token_type: "access", message: "Token is invalid or expired" }],
};

describe("no lockout by strangers (finding 1)", () => {
  it("keeps the owner's known address open while failures from anywhere else lock the username", async () => {
    const { username } = await registerUser();
    expect((await loginFrom("198.18.0.1", username, PASSWORD)).status).toBe(200);
    // 25 failures spread over 25 addresses the account has never used.
    for (let i = 0; i < 25; i++) await loginFrom(`198.18.1.${i}`, username, "wrong-password");
    const stranger = await loginFrom("198.18.2.1", username, PASSWORD);
    expect(stranger.status).toBe(429);
    expect(stranger.body).toEqual(THROTTLED);
    // The owner, from where they logged in before, is not held back by others' failures.
    const owner = await loginFrom("198.18.0.1", username, PASSWORD);
    expect(owner.status).toBe(200);
  });

  it("holds back a known address by its own failures only, and leaves other accounts open from it", async () => {
    const { username } = await registerUser();
    const other = await registerUser();
    expect((await loginFrom("198.18.3.1", username, PASSWORD)).status).toBe(200);
    for (let i = 0; i < 5; i++) expect((await loginFrom("198.18.3.1", username, "wrong-password")).status).toBe(401);
    expect(await loginFrom("198.18.3.1", username, PASSWORD)).toMatchObject({ status: 429, body: THROTTLED });
    expect((await loginFrom("198.18.3.1", other.username, PASSWORD)).status).toBe(200);
  });

  it("lets at most the limit of concurrent guesses from one address through, before hashing", async () => {
    const { username } = await registerUser();
    const responses = await Promise.all(Array.from({ length: 12 }, (_, i) => loginFrom("198.18.4.1", username, `wrong-${i}`)));
    expect(responses.filter((r) => r.status === 401)).toHaveLength(5);
    expect(responses.filter((r) => r.status === 429)).toHaveLength(7);
  });
});

describe("current-password checks are throttled per user (finding 2)", () => {
  const change = (token: string, old_password: string) =>
    callWithEnv({ THROTTLE_PASSWORD_CHECK: "5/900" }, "POST", "/api/auth/password/change/", { old_password, new_password: "brand-new-passphrase-9", new_password2: "brand-new-passphrase-9" }, token);

  it("refuses the sixth wrong guess with 429, even with the right password, and changes nothing", async () => {
    const session = await signedInUser();
    for (let i = 0; i < 5; i++) {
      const wrong = await change(session.access, `guess-${i}`);
      expect(wrong.status).toBe(400);
      expect(wrong.body).toEqual({ old_password: ["Your old password was entered incorrectly. Please enter it again."] });
    }
    expect(await change(session.access, PASSWORD)).toMatchObject({ status: 429, body: THROTTLED });
    expect((await call("POST", "/api/auth/login/", { body: { username: session.username, password: PASSWORD } })).status).toBe(200);
  });

  it("lets no burst of concurrent guesses past the limit", async () => {
    const session = await signedInUser();
    const responses = await Promise.all(Array.from({ length: 12 }, (_, i) => change(session.access, `burst-${i}`)));
    expect(responses.filter((r) => r.status === 400)).toHaveLength(5);
    expect(responses.filter((r) => r.status === 429)).toHaveLength(7);
  });
});

describe("the admin search (findings 4 and 5)", () => {
  it("answers long and wildcard-heavy searches, matched literally, never a 5xx", async () => {
    const admin = await signedInUser();
    await setFlags(admin.id, { isStaff: true });
    // Registration refuses such names; imported Django users can have others, so the row is written directly.
    const odd = uniqueName("pct%_\\");
    await insertUserRow({ username: odd, password: "!" });
    for (const term of ["x".repeat(49), "%".repeat(200), "_%\\".repeat(80), "a".repeat(254)]) {
      const response = await call("GET", `/api/users/?search=${encodeURIComponent(term)}`, { token: admin.access });
      expect(response.status, term.slice(0, 10)).toBe(200);
      expect(response.body).toEqual({ count: 0, next: null, previous: null, results: [] });
    }
    const literal = await call("GET", `/api/users/?search=${encodeURIComponent(odd.toUpperCase())}`, { token: admin.access });
    expect(literal.body.results.map((user: { username: string }) => user.username)).toEqual([odd]);
    const tooLong = await call("GET", `/api/users/?search=${"a".repeat(255)}`, { token: admin.access });
    expect(tooLong).toMatchObject({ status: 400, body: { search: ["Ensure this field has no more than 254 characters."] } });
  });

});

describe("usernames are normalised before they are checked (finding 6)", () => {
  it("refuses a username that NFKC expands past 150 characters and into spaces", async () => {
    const username = "\uFDFA".repeat(150);
    const response = await call("POST", "/api/auth/register/", {
      body: { username, email: `${uniqueName()}@example.com`, password: PASSWORD, password2: PASSWORD },
    });
    expect(response.status).toBe(400);
    expect(response.body).toEqual({
      username: [
        "Ensure this field has no more than 150 characters.",
        "Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters.",
      ],
    });
    const count = await dbRow("select count(*) as n from users where length(username) > 150");
    expect(count).toEqual({ n: 0 });
  });

  it("stores the normalised form and finds it again at login", async () => {
    const base = uniqueName();
    const response = await call("POST", "/api/auth/register/", {
      body: { username: `${base}\uFB01`, email: `${base}@example.com`, password: PASSWORD, password2: PASSWORD },
    });
    expect(response.status).toBe(201);
    expect(await dbRow("select username from users where username = ?", `${base}fi`)).toEqual({ username: `${base}fi` });
    expect((await call("POST", "/api/auth/login/", { body: { username: `${base}fi`, password: PASSWORD } })).status).toBe(200);
  });
});

describe("sessions end at once (finding 13)", () => {
  it("refuses the access token of a session ended by logout, logout-all or a password change", async () => {
    const loggedOut = await signedInUser();
    expect((await call("POST", "/api/auth/logout/", { body: { refresh: loggedOut.refresh } })).status).toBe(200);
    const everywhere = await signedInUser();
    const second = await login(everywhere.username);
    expect((await call("POST", "/api/auth/logout/all/", { token: second.access })).status).toBe(200);
    const changed = await signedInUser();
    const changing = await call("POST", "/api/auth/password/change/", {
      token: changed.access,
      body: { old_password: PASSWORD, new_password: "another-good-passphrase-3", new_password2: "another-good-passphrase-3" },
    });
    expect(changing.status).toBe(200);
    for (const token of [loggedOut.access, everywhere.access, second.access, changed.access]) {
      const response = await call("GET", "/api/auth/profile/", { token });
      expect(response.status).toBe(401);
      expect(response.body).toEqual(BAD_ACCESS_TOKEN);
      expect(await verifyWith(token)).toMatchObject({ status: 401 });
    }
  });

  it("keeps the user's other sessions working when one ends", async () => {
    const session = await signedInUser();
    const other = await login(session.username);
    await call("POST", "/api/auth/logout/", { body: { refresh: session.refresh } });
    expect((await call("GET", "/api/auth/profile/", { token: other.access })).status).toBe(200);
  });
});

describe("refresh reuse grace (finding 14)", () => {
  const refreshWithGrace = (refresh: string, grace: string) => callWithEnv({ REFRESH_REUSE_GRACE: grace }, "POST", "/api/auth/token/refresh/", { refresh });
  const GRACE = { REFRESH_REUSE_GRACE: "10" };
  const OWNER = { "User-Agent": "OwnerApp/2.1 (iPhone; iOS 18.2)", "CF-Connecting-IP": "198.51.100.23" };
  const THIEF = { "User-Agent": "curl/8.5.0", "CF-Connecting-IP": "203.0.113.66" };
  const refreshFrom = (client: Record<string, string>, refresh: string) => callWithEnv(GRACE, "POST", "/api/auth/token/refresh/", { refresh }, undefined, client);
  const revokedAt = async (refresh: string) =>
    (await dbRow<{ revoked_at: number | null }>("select revoked_at from token_families where id = ?", decodeJwt(refresh).payload.fam))!.revoked_at;

  it("holds the grace only for the client that rotated: a thief who refreshed first loses the session when the owner presents the old token", async () => {
    const session = await signedInUser();
    const stolen = await refreshFrom(THIEF, session.refresh);
    expect(stolen.status).toBe(200);
    // The owner's app, seconds later, with the token the thief copied: theft, not a second tab.
    expect(await refreshFrom(OWNER, session.refresh)).toMatchObject({ status: 401, body: BLACKLISTED });
    expect(await revokedAt(session.refresh)).not.toBeNull();
    // The thief's new pair is dead.
    expect(await refreshFrom(THIEF, stolen.body.refresh)).toMatchObject({ status: 401, body: BLACKLISTED });
    const profile = await call("GET", "/api/auth/profile/", { token: stolen.body.access, headers: THIEF });
    expect(profile.status).toBe(401);
    expect(profile.body).toEqual(BAD_ACCESS_TOKEN);
  });

  it("counts another address with the same User-Agent, or another User-Agent at the same address, as another client (refresh and verify)", async () => {
    const variants: [string, Record<string, string>, "refresh" | "verify"][] = [
      ["same User-Agent, other address", { ...THIEF, "User-Agent": OWNER["User-Agent"] }, "refresh"],
      ["same address, other User-Agent", { ...THIEF, "CF-Connecting-IP": OWNER["CF-Connecting-IP"] }, "refresh"],
      ["no User-Agent, same address", { "CF-Connecting-IP": OWNER["CF-Connecting-IP"] }, "verify"],
    ];
    for (const [label, other, route] of variants) {
      const session = await signedInUser();
      const rotated = await refreshFrom(OWNER, session.refresh);
      expect(rotated.status, label).toBe(200);
      const reuse = route === "refresh"
        ? await refreshFrom(other, session.refresh)
        : await callWithEnv(GRACE, "POST", "/api/auth/token/verify/", { token: session.refresh }, undefined, other);
      expect(reuse, label).toMatchObject({ status: 401, body: BLACKLISTED });
      expect(await revokedAt(session.refresh), label).not.toBeNull();
      expect(await refreshFrom(OWNER, rotated.body.refresh), label).toMatchObject({ status: 401, body: BLACKLISTED });
    }
  });

  it("still lets two tabs of one client (same User-Agent and address) refresh at once without signing out", async () => {
    const session = await signedInUser();
    const both = await Promise.all([refreshFrom(OWNER, session.refresh), refreshFrom(OWNER, session.refresh)]);
    expect(both.map((r) => r.status).sort()).toEqual([200, 401]);
    expect(both.find((r) => r.status === 401)!.body).toEqual(BLACKLISTED);
    const winner = both.find((r) => r.status === 200)!;
    expect(await revokedAt(session.refresh)).toBeNull();
    expect((await call("GET", "/api/auth/profile/", { token: winner.body.access })).status).toBe(200);
    expect((await refreshFrom(OWNER, winner.body.refresh)).status).toBe(200);
  });

  it("refuses a token replaced seconds ago without ending the session: two tabs do not sign the user out", async () => {
    const session = await signedInUser();
    const [first, second] = await Promise.all([refreshWithGrace(session.refresh, "10"), refreshWithGrace(session.refresh, "10")]);
    const statuses = [first!.status, second!.status].sort();
    expect(statuses).toEqual([200, 401]);
    const winner = [first!, second!].find((r) => r.status === 200)!;
    expect([first!, second!].find((r) => r.status === 401)!.body).toEqual(BLACKLISTED);
    // The session lives on: the winner's tokens work.
    expect((await call("GET", "/api/auth/profile/", { token: winner.body.access })).status).toBe(200);
    expect((await refreshWithGrace(winner.body.refresh, "10")).status).toBe(200);
  });

  it("treats reuse after the grace as theft and ends the session", async () => {
    const session = await signedInUser();
    const rotated = await refreshWithGrace(session.refresh, "1");
    expect(rotated.status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect(await refreshWithGrace(session.refresh, "1")).toMatchObject({ status: 401, body: BLACKLISTED });
    expect(await refreshWithGrace(rotated.body.refresh, "1")).toMatchObject({ status: 401, body: BLACKLISTED });
    expect((await call("GET", "/api/auth/profile/", { token: rotated.body.access })).status).toBe(401);
  });

  it("does not end the session when a just-replaced token is verified", async () => {
    const session = await signedInUser();
    const rotated = await refreshWithGrace(session.refresh, "10");
    const verified = await callWithEnv({ REFRESH_REUSE_GRACE: "10" }, "POST", "/api/auth/token/verify/", { token: session.refresh });
    expect(verified).toMatchObject({ status: 401, body: BLACKLISTED });
    expect((await refreshWithGrace(rotated.body.refresh, "10")).status).toBe(200);
  });
});
