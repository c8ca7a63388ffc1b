import { describe, expect, it } from "vitest";
import { app } from "../src/app";
import { call } from "./helpers";
import { checkResponse } from "./openapi-check";
import { SOCIAL_ROUTES } from "./social-routes";

/** The app's routes as `method path`, written as the document writes paths. */
function appRoutes(): string[] {
  const routes = new Set<string>();
  for (const route of app.routes) {
    if (route.method === "ALL") continue;
    const path = route.path.replace(/:(\w+)(\{[^}]*\})?/g, "{$1}");
    routes.add(`${route.method.toLowerCase()} ${path.startsWith("/api/") ? `${path}/` : path}`);
  }
  return [...routes].sort();
}

describe("GET /api/schema/", () => {
  it("has exactly one operation for each route the app serves, and no other", async () => {
    const response = await call("GET", "/api/schema/");
    expect(response.status).toBe(200);
    expect(response.body.openapi).toBe("3.1.0");
    const listed = Object.entries(response.body.paths as Record<string, Record<string, unknown>>).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => `${method} ${path}`),
    );
    expect(listed.sort()).toEqual(appRoutes());
    // Every route of the contract is among them.
    expect(listed).toEqual(expect.arrayContaining([
      "post /api/auth/register/", "post /api/auth/login/", "post /api/auth/token/refresh/", "post /api/auth/token/verify/",
      "post /api/auth/logout/", "post /api/auth/logout/all/", "post /api/auth/password/change/", "get /api/auth/profile/",
      "put /api/auth/profile/", "patch /api/auth/profile/", "post /api/auth/follow/{id}/", "post /api/auth/unfollow/{id}/",
      "get /api/users/", "get /api/users/{id}/", "get /api/users/{id}/followers/", "get /api/users/{id}/following/",
      "get /media/{key}", "get /api/schema/", "get /api/docs/", "get /healthz",
      "post /api/auth/passkeys/register/options/", "post /api/auth/passkeys/register/", "post /api/auth/passkeys/login/options/",
      "post /api/auth/passkeys/login/", "get /api/auth/passkeys/", "delete /api/auth/passkeys/{id}/",
    ]));
  });

  it("documents every route of the contract's Social section: its answers, their bodies and headers, its security and tag", async () => {
    const { body } = await call("GET", "/api/schema/");
    const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
    const schemaOf = (response: { content?: Record<string, { schema: unknown }> }) => response.content?.["application/json"]?.schema;
    for (const route of SOCIAL_ROUTES) {
      const name = `${route.method.toUpperCase()} ${route.path}`;
      const operation = body.paths[route.path]?.[route.method];
      expect(operation, name).toBeDefined();
      const responses = operation.responses as Record<string, { content?: Record<string, { schema: unknown }>; headers?: Record<string, { required?: boolean }> }>;
      expect(Object.keys(responses).map(Number), name).toEqual([...route.statuses].sort((a, b) => a - b));
      const [status, success] = route.success;
      expect(success === null ? responses[status]!.content : schemaOf(responses[status]!), `${name} ${status}`).toEqual(success === null ? undefined : ref(success));
      if (success !== null) expect(body.components.schemas[success], success).toBeDefined();
      // The errors' bodies and the headers that come with them.
      expect(schemaOf(responses[401]!), `${name} 401`).toEqual(ref("AuthError"));
      expect(responses[401]!.headers!["WWW-Authenticate"], `${name} 401`).toMatchObject({ required: true });
      expect(responses[405]!.headers!.Allow, `${name} 405`).toMatchObject({ required: true });
      for (const error of route.statuses.filter((code) => code >= 403 && code !== 401)) expect(schemaOf(responses[error]!), `${name} ${error}`).toEqual(ref("Detail"));
      if (responses[400]) {
        expect(schemaOf(responses[400]), `${name} 400`).toEqual(route.detail400 ? ref("Detail") : { anyOf: [ref("FieldErrors"), ref("Detail")] });
      }
      expect(operation.security, name).toEqual(route.security === "bearer" ? [{ bearer: [] }] : [{ bearer: [] }, {}]);
      expect(operation.tags, name).toEqual([route.tag]);
      expect(operation.summary, name).toEqual(expect.any(String));
    }
    // The write routes' bodies come from the validating schemas, in DRF's three media types.
    const bodies: [string, string, string][] = [
      ["/api/posts/", "post", "PostRequest"],
      ["/api/posts/{id}/", "put", "PostRequest"],
      ["/api/posts/{id}/", "patch", "PatchedPostRequest"],
      ["/api/posts/{id}/comments/", "post", "CommentRequest"],
      ["/api/comments/", "post", "FlatCommentRequest"],
      ["/api/comments/{id}/", "put", "CommentRequest"],
      ["/api/comments/{id}/", "patch", "PatchedCommentRequest"],
    ];
    for (const [path, method, schema] of bodies) {
      const content = body.paths[path][method].requestBody.content;
      expect(Object.keys(content), `${method} ${path}`).toEqual(["application/json", "application/x-www-form-urlencoded", "multipart/form-data"]);
      for (const type of Object.keys(content)) expect(content[type].schema, `${method} ${path} ${type}`).toEqual(ref(schema));
    }
    expect(body.components.schemas.PostRequest).toMatchObject({
      type: "object",
      required: ["title", "content"],
      properties: { title: { type: "string", maxLength: 255 }, content: { type: "string", maxLength: 10000 } },
    });
  });

  it("lists every tag its operations use, and no other; every operation has one", async () => {
    const { body } = await call("GET", "/api/schema/");
    const operations = Object.values(body.paths as Record<string, Record<string, { tags?: string[] }>>).flatMap((item) => Object.values(item));
    for (const operation of operations) expect(operation.tags).toHaveLength(1);
    const used = new Set(operations.flatMap((operation) => operation.tags ?? []));
    const listed = (body.tags as { name: string }[]).map((tag) => tag.name);
    expect(new Set(listed).size).toBe(listed.length);
    expect([...listed].sort()).toEqual([...used].sort());
    expect(listed).toEqual(expect.arrayContaining(["posts", "comments", "likes", "feed", "notifications", "relations"]));
  });

  it("refuses, through the test helpers' check, a status or a body the document does not give", async () => {
    const headers = new Headers({ "WWW-Authenticate": 'Bearer realm="api"' });
    await expect(checkResponse("GET", "http://api.test/api/auth/profile/", { status: 418, headers, body: {} })).rejects.toThrow(/status not in the document/);
    await expect(checkResponse("GET", "http://api.test/api/auth/profile/", { status: 401, headers: new Headers(), body: { detail: "x" } })).rejects.toThrow(/WWW-Authenticate missing/);
    await expect(checkResponse("GET", "http://api.test/api/auth/profile/", { status: 200, headers, body: { id: "one" } })).rejects.toThrow(/body/);
    await expect(checkResponse("POST", "http://api.test/api/auth/register/", { status: 400, headers, body: { username: "not a list" } })).rejects.toThrow(/body/);
  });

  it("documents the query parameters as they are accepted", async () => {
    const { body } = await call("GET", "/api/schema/");
    const params = Object.fromEntries(
      (body.paths["/api/users/"].get.parameters as { name: string; schema: Record<string, unknown> }[]).map((p) => [p.name, p.schema]),
    );
    expect(params.page).toMatchObject({ type: "string", pattern: "^([1-9][0-9]{0,8}|last)$" });
    expect(params.page_size).toMatchObject({ type: "integer" });
    expect(String(params.page_size!.description)).toContain("over 100 is taken as 100");
    expect(params.search).toMatchObject({ type: "string", maxLength: 254 });
    expect(body.paths["/api/users/"].get.responses["400"]).toBeDefined();
    expect(Object.keys(body.paths["/api/auth/login/"].post.requestBody.content)).toEqual([
      "application/json", "application/x-www-form-urlencoded", "multipart/form-data",
    ]);
    for (const status of ["400", "413", "415", "401", "429", "405"]) {
      expect(body.paths["/api/auth/login/"].post.responses[status], status).toBeDefined();
    }
    expect(body.paths["/api/auth/login/"].post.responses["429"].headers["Retry-After"]).toMatchObject({ required: true });
    expect(body.paths["/api/auth/unfollow/{id}/"].post.responses["400"].content["application/json"].schema).toEqual({ $ref: "#/components/schemas/Detail" });
  });

  it("marks protected routes with bearer security and describes bodies from the validating schemas", async () => {
    const { body } = await call("GET", "/api/schema");
    expect(body.components.securitySchemes.bearer).toEqual({ type: "http", scheme: "bearer", bearerFormat: "JWT" });
    expect(body.paths["/api/auth/profile/"].get.security).toEqual([{ bearer: [] }]);
    expect(body.paths["/api/auth/login/"].post.security).toBeUndefined();
    expect(body.components.schemas.RegisterRequest).toMatchObject({
      type: "object",
      required: ["username", "email", "password", "password2"],
      properties: { username: { type: "string", maxLength: 150 } },
    });
    expect(Object.keys(body.paths["/api/auth/profile/"].patch.requestBody.content)).toContain("multipart/form-data");
    expect(body.components.schemas.ProfileUpdateRequest.properties.profile_picture).toMatchObject({ format: "binary" });
    expect(body.paths["/api/users/"].get.responses["403"]).toBeDefined();
    expect(body.components.schemas.Profile.required).toContain("date_joined");
  });
});

describe("GET /api/docs/", () => {
  it("serves a Swagger UI page whose assets come from this origin", async () => {
    const response = await call("GET", "/api/docs/");
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toMatch(/^text\/html/);
    expect(response.body).toContain('<div id="swagger-ui"></div>');
    expect(response.body).toContain('src="/docs-assets/vendor/swagger-ui-bundle.js"');
    expect(response.body).not.toMatch(/https?:\/\//);
    expect(response.headers.get("Content-Security-Policy")).toContain("script-src 'self'");
  });
});
