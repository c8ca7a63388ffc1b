import { exports } from "cloudflare:workers";
import { hc } from "hono/client";
import { describe, expect, it } from "vitest";
import type { AppType } from "../src/index";
import { ORIGIN, PASSWORD, uniqueName } from "./helpers";

// The typed client of the README, pointed at the Worker under test.
const client = hc<AppType>(ORIGIN, { fetch: (input: RequestInfo | URL, init?: RequestInit) => exports.default.fetch(new Request(input, init)) });

describe("the typed client (hono/client)", () => {
  it("registers, logs in, reads the profile and follows with typed calls", async () => {
    const username = uniqueName("typed");
    const registered = await client.api.auth.register.$post({ json: { username, email: `${username}@example.com`, password: PASSWORD, password2: PASSWORD } });
    expect(registered.status).toBe(201);
    expect(await registered.json()).toEqual({ detail: "User registered successfully." });

    const login = await client.api.auth.login.$post({ json: { username, password: PASSWORD } });
    expect(login.status).toBe(200);
    if (login.status !== 200) throw new Error("login failed");
    const answer = await login.json();
    // With two-factor on, a login answers the second step's challenge instead: the type says so.
    if ("mfa_required" in answer) throw new Error("two-factor is off for this user");
    const { access } = answer;
    const headers = { Authorization: `Bearer ${access}` };

    const profile = await client.api.auth.profile.$get({}, { headers });
    expect(profile.status).toBe(200);
    if (profile.status !== 200) throw new Error("profile failed");
    const me = await profile.json();
    expect(me.username).toBe(username);

    const other = uniqueName("target");
    await client.api.auth.register.$post({ json: { username: other, email: `${other}@example.com`, password: PASSWORD, password2: PASSWORD } });
    const otherLogin = await client.api.auth.login.$post({ json: { username: other, password: PASSWORD } });
    if (otherLogin.status !== 200) throw new Error("login failed");
    const otherAnswer = await otherLogin.json();
    if ("mfa_required" in otherAnswer) throw new Error("two-factor is off for this user");
    const otherProfile = await client.api.auth.profile.$get({}, { headers: { Authorization: `Bearer ${otherAnswer.access}` } });
    if (otherProfile.status !== 200) throw new Error("profile failed");
    const target = (await otherProfile.json()).id;

    const follow = await client.api.auth.follow[":id"].$post({ param: { id: String(target) } }, { headers });
    expect(follow.status).toBe(200);
    expect(await follow.json()).toEqual({ detail: `You are now following ${other}.` });

    const updated = await client.api.auth.profile.$patch({ json: { bio: "typed" } }, { headers });
    if (updated.status !== 200) throw new Error("patch failed");
    expect((await updated.json()).bio).toBe("typed");
  });
});
