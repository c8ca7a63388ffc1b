import { Validator } from "@seriousme/openapi-schema-validator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestWorker, request, startTestWorker } from "./local-worker";

let worker: TestWorker;
beforeAll(async () => {
  worker = await startTestWorker();
});
afterAll(() => worker?.stop());

describe("the OpenAPI document", () => {
  it("is a valid OpenAPI 3.1 document (checked against the official schema)", async () => {
    const { status, body } = await request(`${worker.url}/api/schema/`, "GET");
    expect(status).toBe(200);
    const validator = new Validator();
    const result = await validator.validate(body);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe("3.1");
  });
});
