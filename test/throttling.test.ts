import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { clientAddress } from "../src/auth/throttling";
import { PASSWORD, callWithEnv, registerUser, uniqueName } from "./helpers";

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
    const before = await env.DB.prepare("select count(*) as n from users").first();
    expectThrottled(await attempt("198.51.100.77"), 3600);
    expect(await env.DB.prepare("select count(*) as n from users").first()).toEqual(before);
    expect((await attempt("198.51.100.78")).status).toBe(201);
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
});
