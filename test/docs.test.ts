import { describe, expect, it } from "vitest";
import { call } from "./helpers";

const CONTRACT_ROUTES: [string, string][] = [
  ["post", "/api/auth/register/"],
  ["post", "/api/auth/login/"],
  ["post", "/api/auth/token/refresh/"],
  ["post", "/api/auth/token/verify/"],
  ["post", "/api/auth/logout/"],
  ["post", "/api/auth/logout/all/"],
  ["post", "/api/auth/password/change/"],
  ["get", "/api/auth/profile/"],
  ["put", "/api/auth/profile/"],
  ["patch", "/api/auth/profile/"],
  ["post", "/api/auth/follow/{id}/"],
  ["post", "/api/auth/unfollow/{id}/"],
  ["get", "/api/users/"],
  ["get", "/api/users/{id}/"],
  ["get", "/api/users/{id}/followers/"],
  ["get", "/api/users/{id}/following/"],
  ["get", "/media/{key}"],
  ["get", "/api/schema/"],
  ["get", "/api/docs/"],
  ["get", "/healthz"],
];

describe("GET /api/schema/", () => {
  it("describes every route of the contract", async () => {
    const response = await call("GET", "/api/schema/");
    expect(response.status).toBe(200);
    expect(response.body.openapi).toBe("3.1.0");
    const listed = Object.entries(response.body.paths as Record<string, Record<string, unknown>>).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => [method, path]),
    );
    expect(listed.sort()).toEqual([...CONTRACT_ROUTES].sort());
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
