/**
 * The sign-in primitive (src/auth/sign-in.ts) that every method ends with, called as the social
 * and passkey flows call it, over this engine's real store: a session and tokens, the two-factor
 * challenge for a password or social sign-in with two-factor on (never for a passkey), and never
 * a session for an inactive user, even one deactivated after the method read them.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { SignInRefused, signIn } from "../src/auth/sign-in";
import { configFrom } from "../src/config";
import type { Deps } from "../src/lib/deps";
import { storeOf } from "../src/lib/storage";
import { call, lastLoginLanded, signedInUser } from "./helpers";
import { dbRow, dbRun } from "./db";
import { codeAt, userWithMfa, verify } from "./totp";

/** The deps the primitive uses (store, config, deferred work), with the deferred work awaited by `settle`. */
function primitiveDeps() {
  const pending: Promise<unknown>[] = [];
  const deps = { store: storeOf(env), config: configFrom(env), defer: (work: Promise<unknown>) => void pending.push(work) } as unknown as Deps;
  return { deps, settle: () => Promise.all(pending) };
}

const client = { address: "192.0.2.77", userAgent: "native-app/2.0" };
const sessions = async (id: number) => (await dbRow<{ n: number }>("select count(*) as n from token_families where user_id = ?", id))!.n;
const challenges = async (id: number) => (await dbRow<{ n: number }>("select count(*) as n from mfa_challenges where user_id = ?", id))!.n;

describe("signIn", () => {
  it("starts a session and answers its tokens, with the login's bookkeeping", async () => {
    const user = await signedInUser();
    await dbRun("update users set last_login = null where id = ?", user.id);
    const { deps, settle } = primitiveDeps();
    const before = await sessions(user.id);
    const answer = await signIn(deps, { id: user.id, isActive: true }, client, "social");
    expect(answer).toEqual({ refresh: expect.any(String), access: expect.any(String) });
    await settle();
    expect(await sessions(user.id)).toBe(before + 1);
    const listed = await call("GET", "/api/auth/sessions/", { token: (answer as { access: string }).access });
    expect(listed.body.results[0]).toMatchObject({ user_agent: "native-app/2.0", current: true });
    await lastLoginLanded(user.id);
    expect(await dbRow("select count(*) as n from known_addresses where user_id = ? and address = ?", user.id, client.address)).toEqual({ n: 1 });
  });

  it("answers the two-factor challenge for a social sign-in with two-factor on, which 2fa/verify/ finishes", async () => {
    const user = await userWithMfa();
    const { deps } = primitiveDeps();
    const before = await sessions(user.id);
    const answer = await signIn(deps, { id: user.id, isActive: true }, client, "social");
    expect(answer).toEqual({ mfa_required: true, mfa_token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) });
    expect(await sessions(user.id)).toBe(before);
    expect(await dbRow("select method from mfa_challenges where user_id = ?", user.id)).toEqual({ method: "social" });
    const verified = await verify((answer as { mfa_token: string }).mfa_token, codeAt(user.secret, user.step0));
    expect(verified).toMatchObject({ status: 200, body: { refresh: expect.any(String), access: expect.any(String) } });
    expect(await sessions(user.id)).toBe(before + 1);
  });

  it("never asks a passkey sign-in for a second factor", async () => {
    const user = await userWithMfa();
    const { deps } = primitiveDeps();
    const answer = await signIn(deps, { id: user.id, isActive: true }, client, "passkey");
    expect(answer).toEqual({ refresh: expect.any(String), access: expect.any(String) });
    expect(await challenges(user.id)).toBe(0);
  });

  it("refuses an inactive user, also one deactivated after the method read them, and writes nothing", async () => {
    const user = await signedInUser();
    const { deps } = primitiveDeps();
    const before = await sessions(user.id);
    await expect(signIn(deps, { id: user.id, isActive: false }, client, "social")).rejects.toMatchObject({ reason: "inactive" });
    await dbRun("update users set is_active = ? where id = ?", false, user.id);
    await expect(signIn(deps, { id: user.id, isActive: true }, client, "social")).rejects.toBeInstanceOf(SignInRefused);
    await expect(signIn(deps, { id: user.id, isActive: true }, client, "passkey")).rejects.toBeInstanceOf(SignInRefused);
    expect(await sessions(user.id)).toBe(before);
    const mfaUser = await userWithMfa();
    await dbRun("update users set is_active = ? where id = ?", false, mfaUser.id);
    await expect(signIn(deps, { id: mfaUser.id, isActive: true }, client, "social")).rejects.toBeInstanceOf(SignInRefused);
    expect(await challenges(mfaUser.id)).toBe(0);
  });
});
