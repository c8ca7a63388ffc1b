/**
 * Who gets throttled: failed logins per username and per client address, registrations per
 * address. The address is `CF-Connecting-IP` (set by Cloudflare, never by the client);
 * `X-Forwarded-For` is never trusted.
 */
import type { Config } from "../config";
import type { ThrottleRule } from "../db/throttle";
import { Throttled } from "../http/errors";

/** The client's address; an IPv6 client is keyed by its /64, which one subscriber usually holds whole. */
export function clientAddress(headers: Headers): string {
  const ip = headers.get("CF-Connecting-IP")?.trim();
  if (!ip) return "unknown";
  if (!ip.includes(":")) return ip;
  const [head = "", tail = ""] = ip.toLowerCase().split("::");
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const groups = ip.includes("::") ? [...left, ...Array(8 - left.length - right.length).fill("0"), ...right] : left;
  return `${groups.slice(0, 4).map((group) => group.replace(/^0+(?=.)/, "")).join(":")}::/64`;
}

export function loginRules(config: Config, username: string, address: string): ThrottleRule[] {
  const { loginUser, loginAddress } = config.throttle;
  return [
    { key: `login-user:${username.normalize("NFKC").toLowerCase()}`, ...loginUser },
    { key: `login-address:${address}`, ...loginAddress },
  ];
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
