import { afterEach, describe, expect, it, vi } from "vitest";
import { PASSWORD, call, signedInUser, registerUser } from "./helpers";

afterEach(() => vi.restoreAllMocks());

function captureLogs() {
  const lines: string[] = [];
  const record = (...args: unknown[]) => void lines.push(args.map(String).join(" "));
  vi.spyOn(console, "log").mockImplementation(record);
  vi.spyOn(console, "error").mockImplementation(record);
  return lines;
}

describe("request logs", () => {
  it("writes one JSON line per request with method, route, status, duration, request id and user id", async () => {
    const session = await signedInUser();
    const lines = captureLogs();
    const response = await call("GET", "/api/auth/profile/", { token: session.access });
    const entries = lines.map((line) => JSON.parse(line));
    expect(entries).toEqual([
      {
        level: "info",
        method: "GET",
        route: "/api/auth/profile",
        status: 200,
        duration_ms: expect.any(Number),
        request_id: response.headers.get("X-Request-Id"),
        user_id: session.id,
      },
    ]);
  });

  it("never logs passwords, hashes or tokens, even for failing requests", async () => {
    const { username } = await registerUser();
    const lines = captureLogs();
    const tokens = await call("POST", "/api/auth/login/", { body: { username, password: PASSWORD } });
    await call("POST", "/api/auth/login/", { body: { username, password: "wrong-password-value" } });
    await call("POST", "/api/auth/token/refresh/", { body: { refresh: tokens.body.refresh } });
    await call("POST", "/api/auth/token/refresh/", { body: { refresh: tokens.body.refresh } });
    await call("GET", "/api/auth/profile/", { headers: { Authorization: `Bearer ${tokens.body.access}x` } });
    const log = lines.join("\n");
    expect(lines.length).toBeGreaterThanOrEqual(5);
    for (const secret of [PASSWORD, "wrong-password-value", tokens.body.refresh, tokens.body.access, "argon2", "eyJ"]) {
      expect(log).not.toContain(secret);
    }
  });

  it("uses Cloudflare's ray id as the request id when there is one", async () => {
    const lines = captureLogs();
    const response = await call("GET", "/healthz", { headers: { "cf-ray": "8f00000000000000-LHR" } });
    expect(response.headers.get("X-Request-Id")).toBe("8f00000000000000-LHR");
    expect(JSON.parse(lines[0]!)).toMatchObject({ request_id: "8f00000000000000-LHR", route: "/healthz", user_id: null });
  });
});

describe("security headers", () => {
  it("marks every response nosniff and no API answer cacheable", async () => {
    const session = await signedInUser();
    for (const [method, path, token] of [["GET", "/api/auth/profile/", session.access], ["POST", "/api/auth/login/", undefined], ["GET", "/api/nothing", undefined]] as const) {
      const response = await call(method, path, { token, body: method === "POST" ? {} : undefined });
      expect(response.headers.get("X-Content-Type-Options"), path).toBe("nosniff");
      expect(response.headers.get("Cache-Control"), path).toBe("no-store");
      expect(response.headers.get("X-Frame-Options")).toBe("DENY");
      expect(response.headers.get("Content-Security-Policy")).toBe("default-src 'none'; frame-ancestors 'none'");
      expect(response.headers.get("Strict-Transport-Security")).toBe("max-age=15552000; includeSubDomains");
      // Headers only documents use are not sent with JSON (each costs every answer).
      for (const documentOnly of DOCUMENT_HEADERS) expect(response.headers.get(documentOnly), path).toBeNull();
    }
  });

  it("gives HTML documents the headers only documents use, and their own CSP", async () => {
    for (const path of ["/api/docs/", "/account/verify-email/some-key/"]) {
      const response = await call("GET", path);
      expect(response.status, path).toBe(200);
      expect(response.headers.get("Content-Type"), path).toMatch(/^text\/html/);
      expect(response.headers.get("Referrer-Policy"), path).toBe("no-referrer");
      expect(response.headers.get("Cross-Origin-Opener-Policy"), path).toBe("same-origin");
      expect(response.headers.get("X-Content-Type-Options"), path).toBe("nosniff");
      expect(response.headers.get("X-Frame-Options"), path).toBe("DENY");
      expect(response.headers.get("Content-Security-Policy"), path).toContain("script-src 'self'");
      for (const name of DOCUMENT_HEADERS) expect(response.headers.get(name), `${path} ${name}`).not.toBeNull();
    }
  });
});

const DOCUMENT_HEADERS = [
  "Cross-Origin-Opener-Policy",
  "Origin-Agent-Cluster",
  "Referrer-Policy",
  "X-DNS-Prefetch-Control",
  "X-Download-Options",
  "X-Permitted-Cross-Domain-Policies",
  "X-XSS-Protection",
];

describe("CORS", () => {
  const allowed = "https://app.example";

  it("answers a preflight from a listed origin, allowing Authorization", async () => {
    const response = await call("OPTIONS", "/api/auth/profile/", {
      headers: { Origin: allowed, "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "authorization" },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get("Access-Control-Allow-Origin")).toBe(allowed);
    expect(response.headers.get("Access-Control-Allow-Headers")).toContain("Authorization");
    expect(response.headers.get("Access-Control-Allow-Methods")).toContain("PATCH");
  });

  it("adds CORS headers to a listed origin's requests", async () => {
    const response = await call("GET", "/healthz", { headers: { Origin: allowed } });
    expect(response.headers.get("Access-Control-Allow-Origin")).toBe(allowed);
    expect(response.headers.get("Access-Control-Expose-Headers")).toContain("Retry-After");
  });

  it("gives nothing to an unlisted origin, preflight included", async () => {
    const preflight = await call("OPTIONS", "/api/auth/profile/", {
      headers: { Origin: "https://evil.example", "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "authorization" },
    });
    expect(preflight.headers.get("Access-Control-Allow-Origin")).toBeNull();
    expect(preflight.headers.get("Access-Control-Allow-Headers")).toBeNull();
    const request = await call("GET", "/healthz", { headers: { Origin: "https://evil.example" } });
    expect(request.headers.get("Access-Control-Allow-Origin")).toBeNull();
    expect(request.headers.get("Vary")).toContain("Origin");
  });
});

describe("a missing signing secret", () => {
  it("is logged clearly while the client learns nothing", async () => {
    const { registerUser, callWithEnv, PASSWORD } = await import("./helpers");
    const { username } = await registerUser();
    const lines = captureLogs();
    const response = await callWithEnv({ JWT_SECRET: "too-short" }, "POST", "/api/auth/login/", { username, password: PASSWORD });
    expect(response.status).toBe(500);
    expect(response.body).toEqual({ detail: "A server error occurred." });
    const error = lines.map((line) => JSON.parse(line)).find((entry) => entry.level === "error");
    expect(error).toMatchObject({ error: "ServerMisconfigured", message: "JWT_SECRET is missing or shorter than 32 bytes; refusing to issue tokens" });
    expect(lines.join("\n")).not.toContain("too-short");
  });
});
