import { describe, expect, it } from "vitest";
import { VerifiedTokens } from "../src/auth/verified-tokens";

describe("VerifiedTokens (access tokens verified in this isolate)", () => {
  it("answers a remembered token's claims until its expiry, and nothing from then on (exp <= now is expired)", () => {
    const verified = new VerifiedTokens<{ exp: number; user_id: number }>();
    verified.remember("token-a", { exp: 1000, user_id: 7 });
    expect(verified.get("token-a", 999)).toEqual({ exp: 1000, user_id: 7 });
    expect(verified.get("token-b", 999)).toBeUndefined();
    expect(verified.get("token-a", 1000)).toBeUndefined();
    // Forgotten once expired, even if asked with an earlier clock afterwards.
    expect(verified.get("token-a", 999)).toBeUndefined();
    expect(verified.size).toBe(0);
  });

  it("holds at most `limit` tokens, letting the oldest go first", () => {
    const verified = new VerifiedTokens<{ exp: number }>(3);
    for (const token of ["a", "b", "c"]) verified.remember(token, { exp: 10 });
    // Remembering a token it holds replaces it and evicts nothing.
    verified.remember("b", { exp: 20 });
    expect(verified.size).toBe(3);
    verified.remember("d", { exp: 10 });
    expect(verified.size).toBe(3);
    expect(["a", "b", "c", "d"].map((token) => verified.get(token, 0))).toEqual([undefined, { exp: 20 }, { exp: 10 }, { exp: 10 }]);
  });
});
