/**
 * Who gets throttled, before any password is hashed: failed logins per (username, address), per
 * address, and per username from addresses that have not logged into that account lately (so a
 * stranger's failures never lock the owner out of a place they signed in from); wrong current
 * passwords per signed-in user; registrations per address. The address is `CF-Connecting-IP`
 * (set by Cloudflare, never by the client); `X-Forwarded-For` is never trusted. A limit counted
 * per address also counts an IPv6 client's /48, at four times the limit.
 */
import type { Config, Rate } from "../config";
import type { ThrottleRule, WindowCount } from "../store";
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

/** The /48 of an IPv6 client's /56 key (256 /56s, which one attacker can easily hold); undefined for IPv4. */
export function wideAddress(address: string): string | undefined {
  return address.endsWith("::/56") ? `${address.split(":").slice(0, 3).join(":")}::/48` : undefined;
}

/** How much more an IPv6 client's /48 may do than one /56 of it. */
const WIDE_FACTOR = 4;

/** A limit counted per client address: the address (IPv4, or IPv6 /56) at `rate`, and an IPv6 client's /48 at four times it. */
export function perAddress(name: string, address: string, rate: Rate, unlessKnown?: ThrottleRule["unlessKnown"]): ThrottleRule[] {
  const wide = wideAddress(address);
  const known = unlessKnown ? { unlessKnown } : {};
  return [
    { key: `${name}:${address}`, ...rate, ...known },
    ...(wide ? [{ key: `${name}:${wide}`, limit: rate.limit * WIDE_FACTOR, periodMs: rate.periodMs, ...known }] : []),
  ];
}

/** How a login names its account in throttle keys: as it is matched (NFKC, any letter case). */
const loginName = (username: string) => username.normalize("NFKC").toLowerCase();

/**
 * The address-wide cap (/56 and /48) and the per-username one do not hold back a login from an
 * address known to the account (a shared NAT, an office); the (username, address) limit always
 * applies. Not per /48 for (username, address): the username's own limit already caps guesses
 * from anywhere the account is not known, and a /48 bucket there would let a neighbour lock it.
 */
export function loginRules(config: Config, username: string, address: string): ThrottleRule[] {
  const { loginUserAddress, loginAddress, loginUser } = config.throttle;
  const failures = loginFailureKeys(username);
  // The account is found as login finds it (SQLite's lower(), ASCII only), not by the folded key name.
  const known = { username: username.normalize("NFKC"), address };
  return [
    // First: the login's family insert waits on this rule's reservation (it always applies).
    { key: `${failures.prefix}${address}`, ...loginUserAddress },
    ...perAddress("login-address", address, loginAddress, known),
    { key: failures.key, ...loginUser, unlessKnown: known },
  ];
}

/**
 * The failed logins counted against a username: its own key, and the prefix of its (username,
 * address) keys (the name first, so one index range finds them all; `|` is never in a username).
 */
export function loginFailureKeys(username: string): { key: string; prefix: string } {
  const name = loginName(username);
  return { key: `login-user:${name}`, prefix: `login-user-address:${name}|` };
}

/** Wrong current passwords (password change, account deletion), per user. */
export function passwordCheckRules(config: Config, userId: number): ThrottleRule[] {
  return [{ key: `password-check:${userId}`, ...config.throttle.passwordCheck }];
}

export function registerRules(config: Config, address: string): ThrottleRule[] {
  return perAddress("register-address", address, config.throttle.registerAddress);
}

/** The 429 for a refused attempt: available again when the oldest attempt of a full window leaves it. */
export function throttledFor(rules: ThrottleRule[], counts: WindowCount[], now: number): Throttled {
  let waitMs = 0;
  for (const rule of rules) {
    const count = counts.find((entry) => entry.key === rule.key);
    if (count && count.oldest !== null && count.attempts >= rule.limit) waitMs = Math.max(waitMs, count.oldest + rule.periodMs - now);
  }
  return new Throttled(waitMs / 1000);
}

/** Whether any of `rules` is full in `counts` (a right answer is refused too: the 429 of `throttledFor`). */
export function overLimit(rules: ThrottleRule[], counts: WindowCount[]): boolean {
  return rules.some((rule) => (counts.find((entry) => entry.key === rule.key)?.attempts ?? 0) >= rule.limit);
}
