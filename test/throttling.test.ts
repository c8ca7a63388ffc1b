import { describe, expect, it } from "vitest";
import { clientAddress, wideAddress } from "../src/auth/throttling";
import { PASSWORD, callWithEnv, registerUser, uniqueName } from "./helpers";
import { dbRow } from "./db";

const LIMITS = { THROTTLE_LOGIN_USER: "3/900", THROTTLE_LOGIN_ADDRESS: "5/900", THROTTLE_REGISTER_ADDRESS: "2/3600" };
const from = (ip: string) => ({ "CF-Connecting-IP": ip });
const loginAs = (username: string, password: string, ip: string) =>
  callWithEnv(LIMITS, "POST", "/api/auth/login/", { username, password }, undefined, from(ip));

function expectThrottled(response: { status: number; body: any; headers: Headers }, maxWait: number) {
  expect(response.status).toBe(429);
  expect(response.body).toEqual({ detail: expect.stringMatching(/^Request was throttled\. Expected available in \d+ seconds\.$/) });
  const wait = Number(response.headers.get("Retry-After"));
  expect(wait).toBeGreaterThan(0);
  expect(wait).toBeLessThanOrEqual(maxWait);
  expect(response.body.detail).toBe(`Request was throttled. Expected available in ${wait} seconds.`);
}

describe("login throttling", () => {
  it("throttles a username after its failed logins, from any address, before hashing", async () => {
    const { username } = await registerUser();
    for (let i = 0; i < 3; i++) expect((await loginAs(username, "wrong-password", `198.51.100.${i}`)).status).toBe(401);
    const blocked = await loginAs(username, PASSWORD, "198.51.100.99");
    expectThrottled(blocked, 900);
    // Another user is unaffected.
    const other = await registerUser();
    expect((await loginAs(other.username, PASSWORD, "198.51.100.98")).status).toBe(200);
  });

  it("answers a throttled login without computing a hash", async () => {
    const blocked = await registerUser();
    const open = await registerUser();
    for (let i = 0; i < 3; i++) await loginAs(blocked.username, "wrong-password", "198.51.100.150");
    const time = async (username: string, ip: string) => {
      const start = performance.now();
      await loginAs(username, "wrong-password", ip);
      return performance.now() - start;
    };
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
    const throttled: number[] = [];
    const hashed: number[] = [];
    for (let i = 0; i < 3; i++) {
      throttled.push(await time(blocked.username, `198.51.101.${i}`));
      hashed.push(await time(open.username, `198.51.102.${i}`));
    }
    expect(median(throttled)).toBeLessThan(median(hashed) * 0.5);
  });

  it("counts only failures: successful logins give their slot back", async () => {
    const { username } = await registerUser();
    for (let i = 0; i < 6; i++) expect((await loginAs(username, PASSWORD, "198.51.100.50")).status).toBe(200);
  });

  it("throttles an address after its failed logins across usernames", async () => {
    const ip = "203.0.113.7";
    for (let i = 0; i < 5; i++) expect((await loginAs(uniqueName("probe"), "guess-guess-1", ip)).status).toBe(401);
    expectThrottled(await loginAs(uniqueName("probe"), "guess-guess-1", ip), 900);
    expect((await loginAs(uniqueName("probe"), "guess-guess-1", "203.0.113.8")).status).toBe(401);
  });

  it("refuses concurrent guesses beyond the limit: the check and the count are one statement", async () => {
    const { username } = await registerUser();
    const responses = await Promise.all(Array.from({ length: 12 }, (_, i) => loginAs(username, `wrong-${i}`, `192.0.2.${i}`)));
    expect(responses.filter((r) => r.status === 401)).toHaveLength(3);
    expect(responses.filter((r) => r.status === 429)).toHaveLength(9);
  });

  it("never trusts X-Forwarded-For", async () => {
    const { username } = await registerUser();
    const ip = "198.51.100.200";
    for (let i = 0; i < 5; i++) {
      await callWithEnv(LIMITS, "POST", "/api/auth/login/", { username: uniqueName(), password: "x-wrong-1" }, undefined, { ...from(ip), "X-Forwarded-For": `10.0.0.${i}` });
    }
    const blocked = await callWithEnv(LIMITS, "POST", "/api/auth/login/", { username, password: PASSWORD }, undefined, { ...from(ip), "X-Forwarded-For": "10.9.9.9" });
    expect(blocked.status).toBe(429);
  });
});

describe("registration throttling", () => {
  it("limits registrations per address and leaves other addresses alone", async () => {
    const attempt = (ip: string) => {
      const username = uniqueName("reg");
      return callWithEnv(LIMITS, "POST", "/api/auth/register/", { username, email: `${username}@example.com`, password: PASSWORD, password2: PASSWORD }, undefined, from(ip));
    };
    expect((await attempt("198.51.100.77")).status).toBe(201);
    expect((await attempt("198.51.100.77")).status).toBe(201);
    const before = await dbRow("select count(*) as n from users");
    expectThrottled(await attempt("198.51.100.77"), 3600);
    expect(await dbRow("select count(*) as n from users")).toEqual(before);
    expect((await attempt("198.51.100.78")).status).toBe(201);
  });
});

describe("a known user at a shared address (NAT)", () => {
  const NAT = { THROTTLE_LOGIN_USER_ADDRESS: "5/900", THROTTLE_LOGIN_ADDRESS: "5/900", THROTTLE_LOGIN_USER: "20/3600" };
  const loginVia = (username: string, password: string, ip: string) => callWithEnv(NAT, "POST", "/api/auth/login/", { username, password }, undefined, from(ip));
  const sessionsOf = async (username: string) =>
    (await dbRow<{ n: number }>("select count(*) as n from token_families join users on users.id = token_families.user_id where users.username = ?", username))!.n;

  it("lets a user who logged in from the address before through the address-wide cap that strangers' failures filled", async () => {
    const ip = "198.51.100.240";
    const owner = await registerUser();
    const newcomer = await registerUser();
    expect((await loginVia(owner.username, PASSWORD, ip)).status).toBe(200);
    for (let i = 0; i < 5; i++) expect((await loginVia(uniqueName("guess"), "wrong-password", ip)).status).toBe(401);
    // Someone who never logged in from here waits, and no session is started for them.
    const refused = await loginVia(newcomer.username, PASSWORD, ip);
    expectThrottled(refused, 900);
    expect(await sessionsOf(newcomer.username)).toBe(0);
    // The known user is not held back by the address's cap (any letter case of the name)...
    expect((await loginVia(owner.username, PASSWORD, ip)).status).toBe(200);
    expect((await loginVia(owner.username.toUpperCase(), PASSWORD, ip)).status).toBe(200);
    // ...but their own failures there still count, per (username, address).
    for (let i = 0; i < 5; i++) expect((await loginVia(owner.username, "wrong-password", ip)).status).toBe(401);
    const sessions = await sessionsOf(owner.username);
    expectThrottled(await loginVia(owner.username, PASSWORD, ip), 900);
    expect(await sessionsOf(owner.username)).toBe(sessions);
  });

  it("keeps exempting the known user when the name's letters are not ASCII", async () => {
    const ip = "198.51.100.241";
    const owner = { username: `Ärger${uniqueName()}` };
    const registered = await callWithEnv(NAT, "POST", "/api/auth/register/", { username: owner.username, email: `${uniqueName("ae")}@example.com`, password: PASSWORD, password2: PASSWORD });
    expect(registered.status).toBe(201);
    expect((await loginVia(owner.username, PASSWORD, ip)).status).toBe(200);
    for (let i = 0; i < 5; i++) expect((await loginVia(uniqueName("guess"), "wrong-password", ip)).status).toBe(401);
    expect((await loginVia(owner.username, PASSWORD, ip)).status).toBe(200);
  });
});

describe("IPv6: per /56 and, at four times the limit, per /48", () => {
  const V6 = { THROTTLE_LOGIN_ADDRESS: "2/900", THROTTLE_LOGIN_USER_ADDRESS: "1000/900", THROTTLE_LOGIN_USER: "1000/900", THROTTLE_REGISTER_ADDRESS: "1/3600", THROTTLE_EMAIL: "1/3600" };
  /** An address in /56 number `n` (0-255) of the /48 `prefix`. */
  const in56 = (prefix: string, n: number, host = "1") => `${prefix}:${(n << 8).toString(16)}::${host}`;
  const guess = (ip: string) => callWithEnv(V6, "POST", "/api/auth/login/", { username: uniqueName("v6"), password: "wrong-password" }, undefined, from(ip));

  it("throttles failed logins spread over the 256 /56s of one /48 once the /48 holds four times the limit", async () => {
    const owner = await registerUser();
    expect((await callWithEnv(V6, "POST", "/api/auth/login/", { username: owner.username, password: PASSWORD }, undefined, from(in56("2001:db8:4800", 255, "5")))).status).toBe(200);
    const statuses: number[] = [];
    for (let n = 0; n < 256; n++) {
      const response = await guess(in56("2001:db8:4800", n));
      statuses.push(response.status);
      if (response.status === 429) expectThrottled(response, 900);
    }
    // Eight failures (2 x 4), one from each of the first eight /56s; the other 248 /56s wait.
    expect(statuses.slice(0, 8)).toEqual(Array(8).fill(401));
    expect(statuses.slice(8)).toEqual(Array(248).fill(429));
    // Another /48 is untouched, and a user known at their /56 inside the full /48 still gets in.
    expect((await guess(in56("2001:db8:4801", 0))).status).toBe(401);
    expect((await callWithEnv(V6, "POST", "/api/auth/login/", { username: owner.username, password: PASSWORD }, undefined, from(in56("2001:db8:4800", 255, "6")))).status).toBe(200);
  });

  it("still limits one /56 at the limit itself", async () => {
    expect((await guess(in56("2001:db8:4802", 7, "1"))).status).toBe(401);
    expect((await guess(in56("2001:db8:4802", 7, "2"))).status).toBe(401);
    expectThrottled(await guess(in56("2001:db8:4802", 7, "3")), 900);
    expect((await guess(in56("2001:db8:4802", 8))).status).toBe(401);
  });

  it("applies the /48 bucket to registrations and to mail requested from an address", async () => {
    const register = (ip: string) => {
      const username = uniqueName("v6reg");
      return callWithEnv(V6, "POST", "/api/auth/register/", { username, email: `${username}@example.com`, password: PASSWORD, password2: PASSWORD }, undefined, from(ip));
    };
    for (let n = 0; n < 4; n++) expect((await register(in56("2001:db8:4803", n))).status).toBe(201);
    const users = await dbRow("select count(*) as n from users");
    expectThrottled(await register(in56("2001:db8:4803", 4)), 3600);
    expect(await dbRow("select count(*) as n from users")).toEqual(users);

    const reset = (ip: string) => callWithEnv(V6, "POST", "/api/auth/password/reset/", { email: `${uniqueName("nobody")}@example.com` }, undefined, from(ip));
    for (let n = 0; n < 4; n++) expect((await reset(in56("2001:db8:4804", n))).status).toBe(200);
    expectThrottled(await reset(in56("2001:db8:4804", 4)), 3600);
    expect((await reset(in56("2001:db8:4805", 0))).status).toBe(200);
  });
});

describe("client addresses", () => {
  it("keys IPv4 by address and IPv6 by /56", () => {
    const headers = (ip?: string) => new Headers(ip ? { "CF-Connecting-IP": ip } : {});
    expect(clientAddress(headers("203.0.113.9"))).toBe("203.0.113.9");
    expect(clientAddress(headers("2001:db8:abcd:12:1:2:3:4"))).toBe("2001:db8:abcd:0::/56");
    expect(clientAddress(headers("2001:db8:abcd:12ff:1:2:3:4"))).toBe("2001:db8:abcd:1200::/56");
    expect(clientAddress(headers("2001:db8:abcd:12ff::9"))).toBe(clientAddress(headers("2001:db8:abcd:1234::1")));
    expect(clientAddress(headers("2001:DB8::1"))).toBe("2001:db8:0:0::/56");
    expect(clientAddress(headers())).toBe("unknown");
  });

  it("puts an IPv6 client's /56 in its /48 as well, and IPv4 in nothing wider", () => {
    const headers = (ip: string) => new Headers({ "CF-Connecting-IP": ip });
    expect(wideAddress(clientAddress(headers("2001:db8:abcd:12ff:1:2:3:4")))).toBe("2001:db8:abcd::/48");
    expect(wideAddress(clientAddress(headers("2001:db8:abcd:ff00::1")))).toBe("2001:db8:abcd::/48");
    expect(wideAddress(clientAddress(headers("2001:DB8::1")))).toBe("2001:db8:0::/48");
    expect(wideAddress(clientAddress(headers("203.0.113.9")))).toBeUndefined();
    expect(wideAddress("unknown")).toBeUndefined();
  });
});
