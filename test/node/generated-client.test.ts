import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import openapiTS, { astToString } from "openapi-typescript";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { IMAGES } from "../fixtures/images";
import { startEngine } from "./engines";
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

const ISO = expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);

/** What the flow saw, the same on every engine. */
function expectFlow(steps: Record<string, any>) {
  expect(steps["register me"]).toEqual({ detail: "User registered successfully." });
  expect(steps.profile).toMatchObject({ bio: null, profile_picture: null, followers_count: 0 });
  expect(steps.patched).toMatchObject({
    bio: "made by a generated client",
    profile_picture: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/media\/profile_pics\/[0-9a-f]{32}\.png$/),
  });
  expect(steps.follow).toEqual({ detail: expect.stringMatching(/^You are now following gen\w+b\.$/) });
  expect(steps.followers).toEqual([expect.stringMatching(/^gen\w+$/)]);

  const { me, meId, other, otherId } = steps.names as { me: string; meId: number; other: string; otherId: number };
  const post = {
    id: expect.any(Number),
    author: other,
    author_id: otherId,
    title: "From a generated client",
    content: "Typed end to end.",
    created_at: ISO,
    updated_at: ISO,
    likes_count: 0,
    comments_count: 0,
    liked: false,
  };
  expect(steps.post).toEqual(post);
  const { id: postId, created_at, updated_at } = steps.post as { id: number; created_at: string; updated_at: string };
  const comment = { id: expect.any(Number), post: postId, author: me, author_id: meId, content: "Nice one.", created_at: ISO, updated_at: ISO };
  expect(steps.comment).toEqual(comment);
  expect(steps.like).toEqual({ detail: "Post liked.", likes_count: 1 });
  expect(steps.likeAgain).toEqual({ status: 400, error: { detail: "You have already liked this post." } });
  const seen = { ...post, id: postId, created_at, updated_at, likes_count: 1, comments_count: 1 };
  expect(steps.feed).toEqual({ next: null, previous: null, results: [{ ...seen, liked: true }] });
  expect(steps.comments).toEqual({ next: null, previous: null, results: [steps.comment] });
  expect(steps.anonymousPost).toEqual(seen);
  const target = { type: "post", id: postId };
  expect(steps.notifications).toEqual([
    ["liked your post", me, target],
    ["commented on your post", me, target],
    ["followed you", me, null],
  ]);
  expect(steps.unread).toEqual({ unread_count: 3 });
  expect(steps.unlike).toEqual({ detail: "Post unliked.", likes_count: 0 });

  expect(steps.logout).toEqual({ detail: "Successfully logged out." });
  expect(steps.afterLogout).toEqual({
    status: 401,
    error: {
      detail: "Given token not valid for any token type",
      code: "token_not_valid",
      messages: [{ token_class: "AccessToken", token_type: "access", message: "Token is invalid or expired" }],
    },
  });
}

const picture = () => new Blob([IMAGES["tiny.png"]], { type: "image/png" });

/**
 * The flow, imported by a path the project's `npm run typecheck` does not follow: it needs the
 * schema.d.ts this test writes (git-ignored), and the test typechecks it itself, after writing it.
 */
const FLOW: string = "./generated-client/flow";
const loadFlow = async () => (await import(FLOW)) as { runFlow: (baseUrl: string, picture: Blob) => Promise<Parameters<typeof expectFlow>[0]> };

describe("a client generated from /api/schema/ (openapi-typescript + openapi-fetch)", () => {
  it("typechecks and runs register, login, profile, a picture upload, follow, followers, a post, a comment, a like, the feed, notifications, refresh and logout", async () => {
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

    const { runFlow } = await loadFlow();
    expectFlow(await runFlow(worker.url, picture()));
  });

  it("runs the same flow on the PostgreSQL engine (the Worker's HYPERDRIVE binding)", async () => {
    const engine = await startEngine("PostgreSQL");
    try {
      const { runFlow } = await loadFlow();
      expectFlow(await runFlow(engine.worker.url, picture()));
    } finally {
      await engine.stop();
    }
  });
});
