import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { PASSWORD, call, registerUser, uniqueName } from "./helpers";

const register = (body: Record<string, unknown>) => call("POST", "/api/auth/register/", { body });

async function userCount() {
  const row = await env.DB.prepare("select count(*) as n from users").first<{ n: number }>();
  return row!.n;
}

describe("POST /api/auth/register/", () => {
  it("creates a user and answers 201 with the contract's detail", async () => {
    const username = uniqueName();
    const response = await register({ username, email: `${username}@example.com`, password: PASSWORD, password2: PASSWORD });
    expect(response.status).toBe(201);
    expect(response.body).toEqual({ detail: "User registered successfully." });
    const row = await env.DB.prepare("select password, bio, is_staff, is_active from users where username = ?").bind(username).first();
    expect(row).toMatchObject({ bio: null, is_staff: 0, is_active: 1 });
    expect(String(row!.password)).toMatch(/^argon2\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
  });

  it("reports every missing field at once", async () => {
    const response = await register({});
    expect(response.status).toBe(400);
    expect(response.body).toEqual({
      username: ["This field is required."],
      email: ["This field is required."],
      password: ["This field is required."],
      password2: ["This field is required."],
    });
  });
});
