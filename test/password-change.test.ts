import { describe, expect, it } from "vitest";
import { BLACKLISTED, PASSWORD, call, login, signedInUser, refreshWith } from "./helpers";
import { dbRow } from "./db";

const NEW_PASSWORD = "a-brand-new-passphrase-77";
const change = (token: string, body: Record<string, unknown>) => call("POST", "/api/auth/password/change/", { token, body });

describe("POST /api/auth/password/change/", () => {
  it("saves the new password, which then logs in while the old one does not", async () => {
    const session = await signedInUser();
    const response = await change(session.access, { old_password: PASSWORD, new_password: NEW_PASSWORD, new_password2: NEW_PASSWORD });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ detail: "New password has been saved." });
    const old = await call("POST", "/api/auth/login/", { body: { username: session.username, password: PASSWORD } });
    expect(old.status).toBe(401);
    expect((await call("POST", "/api/auth/login/", { body: { username: session.username, password: NEW_PASSWORD } })).status).toBe(200);
  });

  it("revokes every refresh token of the user, including ones issued in the same second", async () => {
    const session = await signedInUser();
    const other = await login(session.username);
    await change(session.access, { old_password: PASSWORD, new_password: NEW_PASSWORD, new_password2: NEW_PASSWORD });
    expect((await refreshWith(session.refresh)).body).toEqual(BLACKLISTED);
    expect((await refreshWith(other.refresh)).body).toEqual(BLACKLISTED);
  });

  it("refuses a wrong old password and changes nothing", async () => {
    const session = await signedInUser();
    const before = await dbRow("select password from users where id = ?", session.id);
    const response = await change(session.access, { old_password: "not-it-at-all", new_password: NEW_PASSWORD, new_password2: NEW_PASSWORD });
    expect(response.status).toBe(400);
    expect(response.body).toEqual({ old_password: ["Your old password was entered incorrectly. Please enter it again."] });
    expect(await dbRow("select password from users where id = ?", session.id)).toEqual(before);
    expect((await refreshWith(session.refresh)).status).toBe(200);
  });

  it("refuses mismatched new passwords and weak ones with the registration validators", async () => {
    const session = await signedInUser();
    const mismatch = await change(session.access, { old_password: PASSWORD, new_password: NEW_PASSWORD, new_password2: `${NEW_PASSWORD}!` });
    expect(mismatch.status).toBe(400);
    expect(mismatch.body).toEqual({ new_password2: ["The two password fields didn't match."] });
    const weak = await change(session.access, { old_password: PASSWORD, new_password: "12345678", new_password2: "12345678" });
    expect(weak.body).toEqual({ new_password: ["This password is too common.", "This password is entirely numeric."] });
    const similar = await change(session.access, { old_password: PASSWORD, new_password: session.username, new_password2: session.username });
    expect(similar.body).toEqual({ new_password: ["The password is too similar to the username."] });
  });

  it("reports missing fields and needs authentication", async () => {
    const session = await signedInUser();
    const missing = await change(session.access, {});
    expect(missing.status).toBe(400);
    expect(missing.body).toEqual({
      old_password: ["This field is required."],
      new_password: ["This field is required."],
      new_password2: ["This field is required."],
    });
    const anonymous = await call("POST", "/api/auth/password/change/", { body: {} });
    expect(anonymous.status).toBe(401);
    expect(anonymous.body).toEqual({ detail: "Authentication credentials were not provided." });
  });

  it("lets exactly one of two concurrent changes win", async () => {
    const session = await signedInUser();
    const responses = await Promise.all(
      ["first-new-passphrase-1", "second-new-passphrase-2"].map((password) =>
        change(session.access, { old_password: PASSWORD, new_password: password, new_password2: password }),
      ),
    );
    // The winner ends every session, the loser's own included: its second batch is refused at once.
    expect(responses.map((r) => r.status).sort()).toEqual([200, 401]);
    const loser = responses.find((r) => r.status === 401)!;
    expect(loser.body).toEqual({
      detail: "Given token not valid for any token type",
      code: "token_not_valid",
      messages: [{ token_class: "AccessToken", token_type: "access", message: "Token is invalid or expired" }],
    });
    const winner = responses.indexOf(responses.find((r) => r.status === 200)!);
    const password = ["first-new-passphrase-1", "second-new-passphrase-2"][winner]!;
    expect((await call("POST", "/api/auth/login/", { body: { username: session.username, password } })).status).toBe(200);
  });
});
