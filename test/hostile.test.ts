/**
 * Attacks: each request below is hostile in some way. For every one: no 5xx, a JSON body in a
 * DRF shape, and the users table exactly as it was.
 */
import { env, exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { signClaims } from "../src/auth/tokens";
import { configFrom } from "../src/config";
import { ORIGIN, signedInUser, setFlags } from "./helpers";
import { dbAll } from "./db";

interface Attack {
  name: string;
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: BodyInit;
}

const json = (value: unknown) => JSON.stringify(value);
const b64url = (value: unknown) => btoa(JSON.stringify(value)).replaceAll("=", "").replaceAll("+", "-").replaceAll("/", "_");

/** DRF's shapes: {"detail": "..."} (with optional code/messages) or {"field": ["message", ...]}. */
function isDrfShaped(body: unknown): boolean {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return false;
  const entries = Object.entries(body);
  if (typeof (body as { detail?: unknown }).detail === "string") return true;
  return entries.length > 0 && entries.every(([, messages]) => Array.isArray(messages) && messages.every((m) => typeof m === "string"));
}

let token = "";
let adminToken = "";
let userId = 0;

beforeAll(async () => {
  const session = await signedInUser();
  token = session.access;
  userId = session.id;
  const admin = await signedInUser();
  await setFlags(admin.id, { isStaff: true });
  adminToken = admin.access;
});

function attacks(): Attack[] {
  const list: Attack[] = [];
  const post = (name: string, path: string, body: BodyInit, headers: Record<string, string> = { "Content-Type": "application/json" }, method = "POST") =>
    list.push({ name, method, path, body, headers });
  const authed = { "Content-Type": "application/json", Authorization: `Bearer ${token}` };

  // Wrong JSON types in every text field of every body.
  const bodies: [string, string[], Record<string, string>?, string?][] = [
    ["/api/auth/register/", ["username", "email", "password", "password2"]],
    ["/api/auth/login/", ["username", "password"]],
    ["/api/auth/token/refresh/", ["refresh"]],
    ["/api/auth/token/verify/", ["token"]],
    ["/api/auth/logout/", ["refresh"]],
    ["/api/auth/password/change/", ["old_password", "new_password", "new_password2"], authed],
    ["/api/auth/profile/", ["username", "email", "first_name", "last_name", "bio", "current_password"], authed, "PATCH"],
  ];
  const wrongValues = [true, [], { nested: "object" }, null, ["a", "b"], 1e308];
  for (const [path, fields, headers, method] of bodies) {
    for (const value of wrongValues) {
      post(`${path} all fields ${json(value)}`, path, json(Object.fromEntries(fields.map((f) => [f, value]))), headers, method);
    }
    post(`${path} NUL bytes`, path, json(Object.fromEntries(fields.map((f) => [f, `a\u0000b`]))), headers, method);
    post(`${path} huge strings`, path, json(Object.fromEntries(fields.map((f) => [f, "x".repeat(200_000)]))), headers, method);
    post(`${path} duplicate keys`, path, `{${fields.map((f) => `"${f}":"one","${f}":{"two":2}`).join(",")}}`, headers, method);
    post(`${path} prototype keys`, path, `{"__proto__":{"is_staff":true},"constructor":{"prototype":{"x":1}}}`, headers, method);
  }

  // Bodies: nesting, size, encodings, content types that lie.
  post("nested arrays 100 deep", "/api/auth/login/", "[".repeat(100) + "]".repeat(100));
  post("nested objects 5000 deep", "/api/auth/login/", '{"a":'.repeat(5000) + "1" + "}".repeat(5000));
  post("nesting inside a field", "/api/auth/register/", json({ username: JSON.parse("[".repeat(30) + "]".repeat(30)) }));
  post("body over 1 MiB", "/api/auth/login/", json({ username: "u", password: "p".repeat(1024 * 1024) }));
  post("invalid UTF-8", "/api/auth/login/", new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]));
  post("lone surrogate escape", "/api/auth/register/", '{"username":"\\ud800","email":"a@b.co","password":"x","password2":"x"}');
  post("truncated JSON", "/api/auth/login/", '{"username": "a", "password": ');
  post("JSON with trailing garbage", "/api/auth/login/", '{"username":"a","password":"b"} trailing');
  post("JSON labelled as form", "/api/auth/login/", json({ username: "a", password: "b" }), { "Content-Type": "application/x-www-form-urlencoded" });
  post("form labelled as JSON", "/api/auth/login/", "username=a&password=b");
  post("multipart without boundary", "/api/auth/login/", "--x\r\n", { "Content-Type": "multipart/form-data" });
  post("multipart with a wrong boundary", "/api/auth/login/", "--abc\r\nContent-Disposition: form-data; name=\"username\"\r\n\r\na\r\n--abc--\r\n", { "Content-Type": "multipart/form-data; boundary=xyz" });
  post("binary form body", "/api/auth/login/", new Uint8Array([0, 1, 2, 255, 254, 37, 37]), { "Content-Type": "application/x-www-form-urlencoded" });
  post("bad percent-encoding in a form", "/api/auth/login/", "username=%E0%A4%A&password=%ZZ", { "Content-Type": "application/x-www-form-urlencoded" });
  post("text/plain", "/api/auth/register/", "hello", { "Content-Type": "text/plain" });
  post("XML", "/api/auth/register/", "<user/>", { "Content-Type": "application/xml" });
  post("content type with parameters only", "/api/auth/register/", "{}", { "Content-Type": ";;;" });
  post("JSON string body", "/api/auth/register/", '"just a string"');
  post("JSON number body", "/api/auth/login/", "12345");
  post("empty JSON object to refresh", "/api/auth/token/refresh/", "{}");

  // Paths: bad percent-encoding and absurd ids.
  const get = (name: string, path: string, headers: Record<string, string> = { Authorization: `Bearer ${token}` }) =>
    list.push({ name, method: "GET", path, headers });
  for (const id of ["0", "-1", "1e999", "99999999999999999999", "9223372036854775808", "18446744073709551616", "1.5", "0x10", "%D9%A1%D9%A2", "%00", "%E0%A4%A", "%", "1%20OR%201=1", "..%2F..%2F"]) {
    get(`user id ${id}`, `/api/users/${id}/`);
    list.push({ name: `follow id ${id}`, method: "POST", path: `/api/auth/follow/${id}/`, headers: { Authorization: `Bearer ${token}` } });
  }
  get("bad percent-encoding in the query", "/api/users/?search=%E0%A4%A&page=%ZZ");
  get("NUL in the query", "/api/users/?search=%00&page_size=%00");
  get("huge search term", `/api/users/?search=${"a".repeat(5000)}`);
  get("absurd page", "/api/users/?page=99999999999999999999999");
  get("negative page size", `/api/users/${userId}/followers/?page_size=-100`);
  get("forged cursor", `/api/users/${userId}/followers/?cursor=${btoa("n-5; drop table users")}`);
  get("cursor of absurd size", `/api/users/${userId}/following/?cursor=${btoa(`n${"9".repeat(40)}`)}`);
  get("media path traversal", "/media/profile_pics/..%2F..%2Fsecret");
  get("media outside its prefix", "/media/../../etc/passwd");
  get("unknown route with odd characters", "/api/%F0%9F%92%A9/%2e%2e/");

  // Forged and malformed tokens.
  const now = Math.floor(Date.now() / 1000);
  const claims = { token_type: "access", exp: now + 300, iat: now, jti: "j", user_id: userId };
  const kid = JSON.parse(atob(token.split(".")[0]!)).kid;
  const forged = [
    `${b64url({ alg: "none", typ: "JWT", kid })}.${b64url(claims)}.`,
    `${b64url({ alg: "HS512", typ: "JWT", kid })}.${b64url(claims)}.${token.split(".")[2]}`,
    `${b64url({ alg: "RS256", typ: "JWT", kid })}.${b64url(claims)}.${token.split(".")[2]}`,
    `${b64url({ alg: "HS256", typ: "JWT", kid: "../../etc/passwd" })}.${b64url(claims)}.${token.split(".")[2]}`,
    `${b64url({ alg: "HS256", typ: "JWT" })}.${b64url(claims)}.${token.split(".")[2]}`,
    `${token.split(".")[0]}.${b64url({ ...claims, user_id: 1 })}.${token.split(".")[2]}`,
    `${token.split(".")[0]}.${token.split(".")[1]}`,
    "...",
    "a.b.c.d",
    `${b64url({ alg: "HS256" })}.${"A".repeat(100_000)}.sig`,
    "%%%.%%%.%%%",
  ];
  for (const [i, forgedToken] of forged.entries()) get(`forged token ${i}`, "/api/auth/profile/", { Authorization: `Bearer ${forgedToken}` });
  get("Authorization with many parts", "/api/auth/profile/", { Authorization: `Bearer ${"a ".repeat(50)}` });
  get("Authorization of 64 KiB", "/api/auth/profile/", { Authorization: `Bearer ${"a".repeat(65536)}` });
  post("token of the wrong type to verify", "/api/auth/token/verify/", json({ token: "eyJ.eyJ.sig" }));

  // Second review round: searches, pictures, usernames, addresses, multipart framing.
  const staff = { Authorization: `Bearer ${adminToken}` };
  for (const term of ["x".repeat(49), "%".repeat(254), "_%\\".repeat(84), "\u0000%", "%25%25%25", "a".repeat(255), "😀".repeat(200)]) {
    list.push({ name: `admin search ${term.slice(0, 8)}…(${term.length})`, method: "GET", path: `/api/users/?search=${encodeURIComponent(term)}`, headers: staff });
  }
  for (const query of ["page=99999999999", "page=-1", "page_size=1e9", "page=last&page_size=0", "cursor=%00", "cursor=" + "A".repeat(5000)]) {
    list.push({ name: `query ${query.slice(0, 20)}`, method: "GET", path: `/api/users/?${query}`, headers: staff });
    list.push({ name: `follow list ${query.slice(0, 20)}`, method: "GET", path: `/api/users/${userId}/followers/?${query}`, headers: staff });
  }
  const multipart = (parts: string, boundary = "q") => ({ body: parts, headers: { "Content-Type": `multipart/form-data; boundary=${boundary}`, Authorization: `Bearer ${token}` } });
  const filePart = (bytes: string) => `--q\r\nContent-Disposition: form-data; name="profile_picture"; filename="a.png"\r\nContent-Type: image/png\r\n\r\n${bytes}\r\n--q--\r\n`;
  const pictures: [string, string][] = [
    ["PNG header claiming 100000 x 100000", "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x01\x86\xa0\x00\x01\x86\xa0\x08\x02\x00\x00\x00"],
    ["GIF followed by HTML", "GIF89a\x01\x00\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;<html>"],
    ["JPEG markers forever", "\xff\xd8\xff" + "\xfe\x00\x02".repeat(2000)],
    ["text as a picture", "<script>alert(1)</script>"],
  ];
  for (const [name, bytes] of pictures) {
    const { body, headers } = multipart(filePart(bytes));
    list.push({ name: `picture: ${name}`, method: "PATCH", path: "/api/auth/profile/", body, headers });
  }
  const framing: [string, string, string?][] = [
    ["part without a name", `--q\r\nContent-Disposition: form-data\r\n\r\nx\r\n--q--\r\n`],
    ["part without headers' end", `--q\r\nContent-Disposition: form-data; name="bio"`],
    ["file part for a text field", `--q\r\nContent-Disposition: form-data; name="username"; filename="u.txt"\r\n\r\nname\r\n--q--\r\n`],
    ["text for the picture", `--q\r\nContent-Disposition: form-data; name="profile_picture"\r\n\r\nnot a file\r\n--q--\r\n`],
    ["boundary of 70 dashes", `--${"-".repeat(70)}\r\n`, "-".repeat(70)],
    ["10,000 tiny parts", `${"--q\r\nContent-Disposition: form-data; name=\"username\"\r\n\r\nbad name!\r\n".repeat(10_000)}--q--\r\n`],
  ];
  for (const [name, parts, boundary] of framing) {
    const { body, headers } = multipart(parts, boundary);
    list.push({ name: `multipart: ${name}`, method: "PATCH", path: "/api/auth/profile/", body, headers });
  }
  post("username NFKC-expanding past 150", "/api/auth/register/", json({ username: "\uFDFA".repeat(150), email: "nfkc@example.com", password: "correct-horse-9x", password2: "correct-horse-9x" }));
  for (let i = 0; i < 8; i++) {
    post(`distributed login guess ${i}`, "/api/auth/login/", json({ username: "victim", password: `guess-${i}` }), { "Content-Type": "application/json", "CF-Connecting-IP": `2001:db8:${i}::1` });
  }
  for (let i = 0; i < 4; i++) {
    post(`password-change guess ${i}`, "/api/auth/password/change/", json({ old_password: `guess-${i}`, new_password: "a-new-passphrase-1", new_password2: "a-new-passphrase-1" }), authed);
  }

  // Methods nobody takes.
  for (const method of ["DELETE", "PUT", "PATCH"]) list.push({ name: `${method} on login`, method, path: "/api/auth/login/" });
  list.push({ name: "PROPFIND on users", method: "PROPFIND", path: "/api/users/", headers: { Authorization: `Bearer ${token}` } });
  return list;
}

describe("hostile requests", () => {
  it("answers at least 150 hostile requests without a 5xx, in DRF shapes, changing no user", async () => {
    const snapshot = () => dbAll("select * from users order by id").then((r) => r.results);
    const before = await snapshot();
    const list = attacks();
    expect(list.length).toBeGreaterThanOrEqual(150);
    const failures: string[] = [];
    for (const attack of list) {
      const response = await exports.default.fetch(
        new Request(`${ORIGIN}${attack.path}`, { method: attack.method, headers: attack.headers, body: attack.body }),
      );
      const text = await response.text();
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        body = undefined;
      }
      if (response.status >= 500) failures.push(`${attack.name}: ${response.status} ${text.slice(0, 200)}`);
      else if (!response.headers.get("Content-Type")?.startsWith("application/json")) failures.push(`${attack.name}: not JSON`);
      else if (response.status >= 400 && !isDrfShaped(body)) failures.push(`${attack.name}: not DRF-shaped: ${text.slice(0, 200)}`);
    }
    expect(failures).toEqual([]);
    expect(await snapshot()).toEqual(before);
  });

  it("refuses deep nesting with a parse error and NUL characters with Django's message", async () => {
    const nested = await exports.default.fetch(
      new Request(`${ORIGIN}/api/auth/login/`, { method: "POST", headers: { "Content-Type": "application/json" }, body: "[".repeat(100) + "]".repeat(100) }),
    );
    expect(nested.status).toBe(400);
    expect(await nested.json()).toEqual({ detail: "JSON parse error - nesting deeper than 32 levels" });
    const nul = await exports.default.fetch(
      new Request(`${ORIGIN}/api/auth/profile/`, { method: "PATCH", headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` }, body: json({ first_name: "a\u0000b" }) }),
    );
    expect(nul.status).toBe(400);
    expect(await nul.json()).toEqual({ first_name: ["Null characters are not allowed."] });
  });

  it("answers 404 for ids outside SQLite's integer range", async () => {
    for (const id of ["9223372036854775808", "99999999999999999999"]) {
      const response = await exports.default.fetch(new Request(`${ORIGIN}/api/users/${id}/`, { headers: { Authorization: `Bearer ${token}` } }));
      expect(response.status).toBe(404);
      expect(await response.json()).toEqual({ detail: "Not found." });
    }
  });

  it("refuses a forged token signed with the right key but naming no user", async () => {
    const key = configFrom(env).currentKey!;
    const now = Math.floor(Date.now() / 1000);
    const forged = await signClaims(key, { token_type: "access", exp: now + 60, iat: now, jti: "x", user_id: 987654321, sid: "no-such-session" });
    const response = await exports.default.fetch(new Request(`${ORIGIN}/api/auth/profile/`, { headers: { Authorization: `Bearer ${forged}` } }));
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ detail: "User not found", code: "user_not_found" });
  });
});
