import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import openapiTS, { astToString } from "openapi-typescript";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { IMAGES } from "../fixtures/images";
import { type TestWorker, startTestWorker } from "./local-worker";

const DIR = "test/node/generated-client";

let worker: TestWorker;
beforeAll(async () => {
  worker = await startTestWorker();
});
afterAll(() => worker?.stop());

// openapi-typescript's documented transform for file parts: `format: binary` is a Blob.
const BLOB = ts.factory.createTypeReferenceNode(ts.factory.createIdentifier("Blob"));
const NULL = ts.factory.createLiteralTypeNode(ts.factory.createNull());

describe("a client generated from /api/schema/ (openapi-typescript + openapi-fetch)", () => {
  it("typechecks and runs register, login, profile, a picture upload, follow, followers, refresh and logout", async () => {
    const document = (await (await fetch(`${worker.url}/api/schema/`)).json()) as Parameters<typeof openapiTS>[0];
    const ast = await openapiTS(document, {
      transform(schema) {
        if (schema.format !== "binary") return undefined;
        return Array.isArray(schema.type) && schema.type.includes("null") ? ts.factory.createUnionTypeNode([BLOB, NULL]) : BLOB;
      },
    });
    writeFileSync(`${DIR}/schema.d.ts`, astToString(ast));

    const tsc = spawnSync(process.execPath, ["node_modules/typescript/bin/tsc", "--noEmit", "--strict", "--target", "ES2022", "--module", "ESNext", "--moduleResolution", "Bundler", "--lib", "ES2023,DOM", "--skipLibCheck", `${DIR}/flow.ts`], { encoding: "utf8" });
    expect(tsc.stdout).toBe("");
    expect(tsc.status).toBe(0);

    const { runFlow } = await import("./generated-client/flow");
    const steps = await runFlow(worker.url, new Blob([IMAGES["tiny.png"]], { type: "image/png" }));
    expect(steps["register me"]).toEqual({ detail: "User registered successfully." });
    expect(steps.profile).toMatchObject({ bio: null, profile_picture: null, followers_count: 0 });
    expect(steps.patched).toMatchObject({
      bio: "made by a generated client",
      profile_picture: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/media\/profile_pics\/[0-9a-f]{32}\.png$/),
    });
    expect(steps.follow).toEqual({ detail: expect.stringMatching(/^You are now following gen\w+b\.$/) });
    expect(steps.followers).toEqual([expect.stringMatching(/^gen\w+$/)]);
    expect(steps.logout).toEqual({ detail: "Successfully logged out." });
    expect(steps.afterLogout).toEqual({
      status: 401,
      error: {
        detail: "Given token not valid for any token type",
        code: "token_not_valid",
        messages: [{ token_class: "AccessToken", token_type: "access", message: "Token is invalid or expired" }],
      },
    });
  });
});
