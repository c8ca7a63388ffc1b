import { describe, expect, it } from "vitest";
import { call } from "./helpers";
import { assertion, loginWith, registrationOptions, userWithPasskey } from "./passkeys-flow";

describe("smoke", () => {
  it("registers and logs in", async () => {
    const user = await userWithPasskey();
    console.log(JSON.stringify(user.passkey));
    const response = await loginWith(await assertion(user.authenticator));
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    console.log(JSON.stringify((await registrationOptions(user.access)).body));
    console.log(JSON.stringify((await call("POST", "/api/auth/passkeys/login/options/")).body));
  });
});
