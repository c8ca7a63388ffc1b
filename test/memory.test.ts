import { describe, expect, it } from "vitest";
import { argon2MemoryBytes } from "../src/auth/passwords/argon2";
import { PASSWORD, call, registerUser } from "./helpers";

const MiB = 1024 * 1024;

describe("memory", () => {
  it("keeps one argon2 working area however many logins arrive at once (16 concurrent logins)", async () => {
    const users = await Promise.all(Array.from({ length: 4 }, () => registerUser()));
    const logins = Array.from({ length: 16 }, (_, i) =>
      call("POST", "/api/auth/login/", { body: { username: users[i % 4]!.username, password: PASSWORD } }),
    );
    const responses = await Promise.all(logins);
    expect(responses.every((response) => response.status === 200)).toBe(true);
    // Hashing is synchronous on one module instance: 19 MiB of argon2 memory plus the module's own,
    // never one area per request (16 x 19 MiB would be 304 MiB, far past the isolate's 128 MB).
    const bytes = argon2MemoryBytes();
    expect(bytes).toBeGreaterThan(19 * MiB);
    expect(bytes).toBeLessThan(24 * MiB);
  });
});
