import { describe, expect, it } from "vitest";
import { ORIGIN, PASSWORD, call, newProfile, signedInUser, uniqueName } from "./helpers";
import { dbRow, dbRun } from "./db";

describe("GET /api/auth/profile/", () => {
  it("answers the caller's profile with the contract's fields", async () => {
    const session = await signedInUser();
    const response = await call("GET", "/api/auth/profile/", { token: session.access });
    expect(response.status).toBe(200);
    expect(response.body).toEqual(newProfile(session));
    expect(Math.abs(Date.parse(response.body.date_joined) - Date.now())).toBeLessThan(60_000);
    expect(JSON.stringify(response.body)).not.toContain("argon2");
  });

  it("answers a picture as the absolute URL of its /media/ object", async () => {
    const session = await signedInUser();
    await dbRun("update users set profile_picture = 'profile_pics/abc.png' where id = ?", session.id);
    const response = await call("GET", "/api/auth/profile", { token: session.access });
    expect(response.body.profile_picture).toBe(`${ORIGIN}/media/profile_pics/abc.png`);
  });
});

describe("PATCH and PUT /api/auth/profile/", () => {
  it("changes the given text fields and leaves the others", async () => {
    const session = await signedInUser();
    const response = await call("PATCH", "/api/auth/profile/", { token: session.access, body: { first_name: "Ada", bio: "Counts things." } });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ username: session.username, email: session.email, first_name: "Ada", last_name: "", bio: "Counts things." });
    const again = await call("GET", "/api/auth/profile/", { token: session.access });
    expect(again.body).toEqual(response.body);
  });

  it("treats PUT like PATCH: absent fields stay unchanged", async () => {
    const session = await signedInUser();
    await call("PATCH", "/api/auth/profile/", { token: session.access, body: { first_name: "Grace", last_name: "Hopper" } });
    const response = await call("PUT", "/api/auth/profile/", { token: session.access, body: { last_name: "Brewster" } });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ first_name: "Grace", last_name: "Brewster" });
  });

  it("changes username and email, and answers the profile unchanged for an empty body", async () => {
    const session = await signedInUser();
    const username = uniqueName("renamed");
    const response = await call("PATCH", "/api/auth/profile/", { token: session.access, body: { username, email: `${username}@Example.COM`, current_password: PASSWORD } });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ username, email: `${username}@example.com` });
    const empty = await call("PATCH", "/api/auth/profile/", { token: session.access, body: {} });
    expect(empty.status).toBe(200);
    expect(empty.body).toEqual(response.body);
  });

  it("lets a user keep their own username and email, in another letter case", async () => {
    const session = await signedInUser();
    const response = await call("PATCH", "/api/auth/profile/", {
      token: session.access,
      body: { username: session.username.toUpperCase(), email: session.email },
    });
    expect(response.status).toBe(200);
    expect(response.body.username).toBe(session.username.toUpperCase());
  });

  it("refuses another user's username or email, case-insensitively, and changes nothing", async () => {
    const taken = await signedInUser();
    const session = await signedInUser();
    const response = await call("PATCH", "/api/auth/profile/", {
      token: session.access,
      body: { username: taken.username.toUpperCase(), email: taken.email.toUpperCase(), first_name: "Nope" },
    });
    expect(response.status).toBe(400);
    expect(response.body).toEqual({
      username: ["A user with that username already exists."],
      email: ["A user with that email already exists."],
    });
    expect((await call("GET", "/api/auth/profile/", { token: session.access })).body.first_name).toBe("");
  });

  it("validates like registration and reports every failing field", async () => {
    const session = await signedInUser();
    const response = await call("PATCH", "/api/auth/profile/", {
      token: session.access,
      body: { username: "no spaces", email: "nope", first_name: "x".repeat(151), last_name: null, bio: ["list"] },
    });
    expect(response.status).toBe(400);
    expect(response.body).toEqual({
      username: ["Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters."],
      email: ["Enter a valid email address."],
      first_name: ["Ensure this field has no more than 150 characters."],
      last_name: ["This field may not be null."],
      bio: ["Not a valid string."],
    });
  });

  it("allows blank names and a blank or null bio, and refuses a blank username", async () => {
    const session = await signedInUser();
    const ok = await call("PATCH", "/api/auth/profile/", { token: session.access, body: { first_name: "", bio: "" } });
    expect(ok.body).toMatchObject({ first_name: "", bio: "" });
    const cleared = await call("PATCH", "/api/auth/profile/", { token: session.access, body: { bio: null } });
    expect(cleared.body.bio).toBeNull();
    const blank = await call("PATCH", "/api/auth/profile/", { token: session.access, body: { username: "" } });
    expect(blank.status).toBe(400);
    expect(blank.body).toEqual({ username: ["This field may not be blank."] });
  });

  it("refuses a bio over 1000 characters", async () => {
    const session = await signedInUser();
    const response = await call("PATCH", "/api/auth/profile/", { token: session.access, body: { bio: "b".repeat(1001) } });
    expect(response.status).toBe(400);
    expect(response.body).toEqual({ bio: ["Ensure this field has no more than 1000 characters."] });
  });

  it("ignores read-only fields such as id, is_staff and followers_count", async () => {
    const session = await signedInUser();
    const response = await call("PATCH", "/api/auth/profile/", {
      token: session.access,
      body: { id: 1, is_staff: true, followers_count: 1000, date_joined: "2000-01-01T00:00:00Z", first_name: "Real" },
    });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ id: session.id, followers_count: 0, first_name: "Real" });
    const row = await dbRow("select is_staff from users where id = ?", session.id);
    expect(row).toEqual({ is_staff: 0 });
  });

  it("takes form-encoded bodies", async () => {
    const session = await signedInUser();
    const response = await call("PATCH", "/api/auth/profile/", { token: session.access, body: new URLSearchParams({ last_name: "Form" }) });
    expect(response.status).toBe(200);
    expect(response.body.last_name).toBe("Form");
  });

  it("gives one email to exactly one of two users updating to it at once", async () => {
    const sessions = await Promise.all(Array.from({ length: 6 }, () => signedInUser()));
    const email = `${uniqueName("contested")}@example.com`;
    const responses = await Promise.all(sessions.map((s) => call("PATCH", "/api/auth/profile/", { token: s.access, body: { email, current_password: PASSWORD } })));
    expect(responses.filter((r) => r.status === 200)).toHaveLength(1);
    for (const loser of responses.filter((r) => r.status !== 200)) {
      expect(loser.status).toBe(400);
      expect(loser.body).toEqual({ email: ["A user with that email already exists."] });
    }
    const holders = await dbRow("select count(*) as n from users where lower(email) = lower(?)", email);
    expect(holders).toEqual({ n: 1 });
  });
});
