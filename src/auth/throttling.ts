/**
 * Who gets throttled, before any password is hashed: failed logins per (username, address), per
 * address, and per username from addresses that have not logged into that account lately (so a
 * stranger's failures never lock the owner out of a place they signed in from); wrong current
 * passwords per signed-in user; registrations per address. The address is `CF-Connecting-IP`
 * (set by Cloudflare, never by the client); `X-Forwarded-For` is never trusted.
 */
import type { Config } from "../config";
import type { ThrottleRule } from "../db/throttle";
import { Throttled } from "../http/errors";

/** The client's address; an IPv6 client is keyed by its /56, what one customer is usually given. */
export function clientAddress(headers: Headers): string {
  const ip = headers.get("CF-Connecting-IP")?.trim();
  if (!ip) return "unknown";
  if (!ip.includes(":")) return ip;
  const [head = "", tail = ""] = ip.toLowerCase().split("::");
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const groups = ip.includes("::") ? [...left, ...Array(8 - left.length - right.length).fill("0"), ...right] : left;
  const fourth = (Number.parseInt(groups[3] || "0", 16) & 0xff00).toString(16);
  return `${[...groups.slice(0, 3), fourth].map((group) => group.replace(/^0+(?=.)/, "")).join(":")}::/56`;
}

/** How a login names its account in throttle keys: as it is matched (NFKC, any letter case). */
const loginName = (username: string) => username.normalize("NFKC").toLowerCase();

export function loginRules(config: Config, username: string, address: string): ThrottleRule[] {
  const { loginUserAddress, loginAddress, loginUser } = config.throttle;
  const name = loginName(username);
  return [
    { key: `login-user-address:${address}|${name}`, ...loginUserAddress },
    { key: `login-address:${address}`, ...loginAddress },
    { key: `login-user:${name}`, ...loginUser, unlessKnown: { username: name, address } },
  ];
}

/** Wrong current passwords (password change, account deletion), per user. */
export function passwordCheckRules(config: Config, userId: number): ThrottleRule[] {
  return [{ key: `password-check:${userId}`, ...config.throttle.passwordCheck }];
}

export function registerRules(config: Config, address: string): ThrottleRule[] {
  return [{ key: `register-address:${address}`, ...config.throttle.registerAddress }];
}

/** The 429 for a refused attempt: available again when the oldest attempt of a full window leaves it. */
export function throttledFor(rules: ThrottleRule[], counts: { key: string; attempts: number; oldest: number | null }[], now: number): Throttled {
  let waitMs = 0;
  for (const rule of rules) {
    const count = counts.find((entry) => entry.key === rule.key);
    if (count && count.oldest !== null && count.attempts >= rule.limit) waitMs = Math.max(waitMs, count.oldest + rule.periodMs - now);
  }
  return new Throttled(waitMs / 1000);
}
