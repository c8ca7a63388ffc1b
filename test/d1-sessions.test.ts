/** D1 itself: its Sessions API, the bookmark every response carries and a client sends back. D1 only. */
import { describe, expect, it } from "vitest";
import { call, signedInUser } from "./helpers";

describe("D1 sessions and bookmarks", () => {
  it("returns a bookmark on every response and reads at least that far when it is sent back", async () => {
    const session = await signedInUser();
    const write = await call("PATCH", "/api/auth/profile/", { token: session.access, body: { bio: "written" } });
    const bookmark = write.headers.get("x-d1-bookmark");
    expect(bookmark).toMatch(/^[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{32}$/);
    const read = await call("GET", "/api/auth/profile/", { token: session.access, headers: { "x-d1-bookmark": bookmark! } });
    expect(read.status).toBe(200);
    expect(read.body.bio).toBe("written");
    const next = read.headers.get("x-d1-bookmark")!;
    expect(next >= bookmark!).toBe(true);
  });

  it("ignores a malformed bookmark", async () => {
    const session = await signedInUser();
    const response = await call("GET", "/api/auth/profile/", { token: session.access, headers: { "x-d1-bookmark": "not-a-bookmark" } });
    expect(response.status).toBe(200);
    expect(response.headers.get("x-d1-bookmark")).toMatch(/^[0-9a-f]{8}-/);
  });
});
