import { describe, expect, it, vi } from "vitest";
import { createApp } from "../src/lib/create-app";
import { call, signedInUser, uniqueName } from "./helpers";
import { ENGINE, engineDrizzle } from "./db";

describe("the HTTP layer", () => {
  it("answers /healthz after a D1 query", async () => {
    const response = await call("GET", "/healthz");
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ status: "ok" });
    expect(response.headers.get("Content-Type")).toMatch(/^application\/json/);
  });

  it("answers unknown routes with DRF's 404 body", async () => {
    for (const path of ["/", "/api", "/api/auth/nothing/", "/api/users/1/friends/"]) {
      const response = await call("GET", path);
      expect(response.status, path).toBe(404);
      expect(response.body).toEqual({ detail: "Not found." });
    }
  });

  it("answers a wrong method with 405, DRF's body and an Allow header", async () => {
    const login = await call("GET", "/api/auth/login/");
    expect(login.status).toBe(405);
    expect(login.body).toEqual({ detail: 'Method "GET" not allowed.' });
    expect(login.headers.get("Allow")).toBe("POST, OPTIONS");

    const register = await call("DELETE", "/api/auth/register");
    expect(register.status).toBe(405);
    expect(register.body).toEqual({ detail: 'Method "DELETE" not allowed.' });

    const session = await signedInUser();
    const profile = await call("POST", "/api/auth/profile/", { token: session.access });
    expect(profile.status).toBe(405);
    expect(profile.body).toEqual({ detail: 'Method "POST" not allowed.' });
    expect(profile.headers.get("Allow")).toBe("GET, HEAD, PUT, PATCH, DELETE, OPTIONS");

    const users = await call("POST", `/api/users/${session.id}/followers/`, { token: session.access });
    expect(users.status).toBe(405);
    expect(users.headers.get("Allow")).toBe("GET, HEAD, OPTIONS");
  });

  it("answers OPTIONS with DRF's metadata, fields built from the validating schema", async () => {
    const response = await call("OPTIONS", "/api/auth/register/");
    expect(response.status).toBe(200);
    expect(response.headers.get("Allow")).toBe("POST, OPTIONS");
    const field = (label: string, max_length: number) => ({ type: "string", required: true, read_only: false, label, max_length, min_length: 1 });
    expect(response.body).toEqual({
      name: "Register a user",
      description: "",
      renders: ["application/json"],
      parses: ["application/json", "application/x-www-form-urlencoded", "multipart/form-data"],
      actions: {
        POST: {
          username: field("Username", 150),
          // DRF's EmailField is "email", not "string" (SimpleMetadata's label_lookup).
          email: { ...field("Email", 254), type: "email" },
          password: field("Password", 4096),
          password2: field("Password2", 4096),
          // Turnstile's token (needed only with TURNSTILE_SECRET_KEY set: test/turnstile.test.ts).
          "cf-turnstile-response": { type: "string", required: false, read_only: false, label: "Cf-turnstile-response" },
        },
      },
    });
    const profile = await call("OPTIONS", "/api/auth/profile");
    expect(profile.headers.get("Allow")).toBe("GET, HEAD, PUT, PATCH, DELETE, OPTIONS");
    expect(Object.keys(profile.body.actions)).toEqual(["PUT", "PATCH", "DELETE"]);
    expect(profile.body.actions.PATCH.profile_picture).toEqual({ type: "image upload", required: false, read_only: false, label: "Profile picture" });
    const read = await call("OPTIONS", "/healthz");
    expect(read.body).toEqual({
      name: "Health check (runs a trivial D1 query)",
      description: "",
      renders: ["application/json"],
      parses: ["application/json", "application/x-www-form-urlencoded", "multipart/form-data"],
    });
  });

  it("reports every email field's type as DRF's \"email\" (registration, resend, password reset, profile)", async () => {
    const email = (required: boolean) => ({ type: "email", required, read_only: false, label: "Email", max_length: 254, min_length: 1 });
    const cases: [string, string, boolean][] = [
      ["/api/auth/register/", "POST", true],
      ["/api/auth/registration/resend-email/", "POST", true],
      ["/api/auth/password/reset/", "POST", true],
      ["/api/auth/profile/", "PUT", false],
      ["/api/auth/profile/", "PATCH", false],
    ];
    for (const [path, method, required] of cases) {
      const response = await call("OPTIONS", path);
      expect(response.status, path).toBe(200);
      expect(response.body.actions[method].email, `${method} ${path}`).toEqual(email(required));
    }
    // The document carries it as JSON Schema's format, where the metadata reads it.
    const schema = (await call("GET", "/api/schema/")).body;
    for (const name of ["RegisterRequest", "ResendEmailRequest", "PasswordResetRequest", "ProfileUpdateRequest"]) {
      expect(schema.components.schemas[name].properties.email, name).toEqual({ type: "string", minLength: 1, maxLength: 254, format: "email" });
    }
    // Other text fields stay "string".
    const login = await call("OPTIONS", "/api/auth/login/");
    expect(login.body.actions.POST.username.type).toBe("string");
  });

  it("treats OPTIONS as a preflight only with Origin and Access-Control-Request-Method, even with CORS_ORIGINS=*", async () => {
    const env = { CORS_ORIGINS: "*" };
    const plain = await call("OPTIONS", "/api/auth/login/", { env });
    expect(plain.status).toBe(200);
    expect(plain.body.name).toBe("Log in: a refresh and an access token");
    expect(plain.headers.get("Access-Control-Allow-Methods")).toBeNull();
    const withOriginOnly = await call("OPTIONS", "/api/auth/login/", { env, headers: { Origin: "https://x.example" } });
    expect(withOriginOnly.body.name).toBe("Log in: a refresh and an access token");
    const preflight = await call("OPTIONS", "/api/auth/login/", {
      env,
      headers: { Origin: "https://x.example", "Access-Control-Request-Method": "POST" },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.body).toBeUndefined();
    expect(preflight.headers.get("Access-Control-Allow-Origin")).toBe("*");
  });

  it("answers HEAD like GET without a body", async () => {
    const response = await call("HEAD", "/healthz");
    expect(response.status).toBe(200);
    expect(response.body).toBeUndefined();
  });

  it("refuses other content types with 415 naming the type", async () => {
    const response = await call("POST", "/api/auth/login/", { body: "username=a", headers: { "Content-Type": "text/plain" } });
    expect(response.status).toBe(415);
    expect(response.body).toEqual({ detail: 'Unsupported media type "text/plain" in request.' });
    const xml = await call("POST", "/api/auth/register/", { body: "<a/>", headers: { "Content-Type": "application/xml; charset=utf-8" } });
    expect(xml.status).toBe(415);
    expect(xml.body).toEqual({ detail: 'Unsupported media type "application/xml; charset=utf-8" in request.' });
  });

  it("answers malformed JSON with DRF's parse error", async () => {
    const response = await call("POST", "/api/auth/login/", { body: '{"username": ', headers: { "Content-Type": "application/json" } });
    expect(response.status).toBe(400);
    expect(response.body).toEqual({ detail: expect.stringMatching(/^JSON parse error - .+/) });
  });

  it("reads multipart bodies with a quoted boundary and a preamble, and refuses broken ones with a parse error", async () => {
    const username = uniqueName();
    const part = (name: string, value: string) => `--b-1\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
    const body = `preamble to ignore\r\n${part("username", username)}${part("password", "wrong-but-parsed")}--b-1--\r\n`;
    const parsed = await call("POST", "/api/auth/login/", { body, headers: { "Content-Type": 'multipart/form-data; boundary="b-1"' } });
    expect(parsed.status).toBe(401);
    expect(parsed.body).toEqual({ detail: "No active account found with the given credentials" });
    const broken: [string, string][] = [
      ["multipart/form-data", "no boundary in the Content-Type"],
      ["multipart/form-data; boundary=zzz", "no opening boundary"],
    ];
    for (const [type, reason] of broken) {
      const response = await call("POST", "/api/auth/login/", { body, headers: { "Content-Type": type } });
      expect(response.status, type).toBe(400);
      expect(response.body).toEqual({ detail: `Multipart form parse error - ${reason}` });
    }
    const unterminated = await call("POST", "/api/auth/login/", { body: `--b-1\r\nContent-Disposition: form-data; name="username"\r\n\r\nx`, headers: { "Content-Type": "multipart/form-data; boundary=b-1" } });
    expect(unterminated.body).toEqual({ detail: "Multipart form parse error - a part does not end with a boundary" });
  });

  it("answers JSON that is not an object with DRF's non_field_errors", async () => {
    const cases: [string, string][] = [["[1,2]", "list"], ['"text"', "str"], ["42", "int"], ["4.5", "float"], ["true", "bool"], ["null", "NoneType"]];
    for (const [body, type] of cases) {
      const response = await call("POST", "/api/auth/login/", { body, headers: { "Content-Type": "application/json" } });
      expect(response.status, body).toBe(400);
      expect(response.body).toEqual({ non_field_errors: [`Invalid data. Expected a dictionary, but got ${type}.`] });
    }
  });

  it("treats an empty body or a missing content type as no data", async () => {
    const empty = await call("POST", "/api/auth/login/", { body: "", headers: { "Content-Type": "application/json" } });
    expect(empty.status).toBe(400);
    expect(empty.body).toEqual({ username: ["This field is required."], password: ["This field is required."] });
  });

  it("refuses bodies over 1 MiB with 413", async () => {
    const big = JSON.stringify({ username: "a".repeat(1024 * 1024), password: "x" });
    const response = await call("POST", "/api/auth/login/", { body: big, headers: { "Content-Type": "application/json" } });
    expect(response.status).toBe(413);
    expect(response.body).toEqual({ detail: "Request body is larger than 1048576 bytes." });
  });

  it("counts the streamed bytes, not only the declared length", async () => {
    const chunk = new TextEncoder().encode("a".repeat(64 * 1024));
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= 40) return controller.close();
        sent += 1;
        controller.enqueue(chunk);
      },
    });
    const { exports } = await import("cloudflare:workers");
    const response = await exports.default.fetch(
      new Request("http://api.test/api/auth/login/", { method: "POST", body: stream, headers: { "Content-Type": "application/json" }, duplex: "half" } as RequestInit),
    );
    expect(response.status).toBe(413);
    expect(sent).toBeLessThan(40);
  });

  it("hides a real server fault behind DRF's 500 body, and logs it", async () => {
    // A working environment, so the fault is the route's own and not a missing binding.
    const { env } = await import("cloudflare:workers");
    const app = createApp().get("/boom", () => {
      throw new Error("secret internals");
    });
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      const response = await app.request("/boom", {}, env);
      expect(response.status).toBe(500);
      expect(await response.json()).toEqual({ detail: "A server error occurred." });
      const lines = logged.mock.calls.map(([line]) => JSON.parse(String(line)));
      expect(lines).toEqual([expect.objectContaining({ level: "error", error: "Error", message: "secret internals" })]);
    } finally {
      logged.mockRestore();
    }
  });

  it("logs a failed query's SQL and reason, never its parameters", async () => {
    const { env } = await import("cloudflare:workers");
    const { sql } = await import("drizzle-orm");
    const app = createApp().get("/query", async (c) => {
      // A query through the engine's own Drizzle client, as the store makes them.
      const db = await engineDrizzle();
      await db.execute(sql`select * from no_such_table where email = ${"private.person@example.com"} and username = ${"privateperson"}`);
      return c.json({}, 200);
    });
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      const response = await app.request("/query", {}, env);
      expect(response.status).toBe(500);
      expect(await response.json()).toEqual({ detail: "A server error occurred." });
      const text = logged.mock.calls.map(([line]) => String(line)).join("\n");
      // Each line is JSON: the message is read decoded (PostgreSQL's reason quotes the relation's name, escaped in the line).
      const messages = logged.mock.calls.map(([line]) => String(JSON.parse(String(line)).message)).join("\n");
      expect(messages).toContain(ENGINE === "d1" ? "no such table: no_such_table" : 'relation "no_such_table" does not exist');
      const placeholders = ENGINE === "d1" ? "email = ? and username = ?" : "email = $1 and username = $2";
      expect(messages).toContain(`Failed query: select * from no_such_table where ${placeholders}`);
      expect(text).not.toContain("private.person");
      expect(text).not.toContain("privateperson");
    } finally {
      logged.mockRestore();
    }
  });

  it("keeps a route's meaning with or without the trailing slash, without redirects", async () => {
    const username = uniqueName();
    const withSlash = await call("POST", "/api/auth/register/", { body: { username, email: `${username}@example.com`, password: "correct-horse-battery-42", password2: "correct-horse-battery-42" } });
    expect(withSlash.status).toBe(201);
    const withoutSlash = await call("POST", "/api/auth/login", { body: { username, password: "correct-horse-battery-42" } });
    expect(withoutSlash.status).toBe(200);
  });
});
