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

describe("static assets", () => {
  it("serves /docs-assets/* with the same security headers as the API", async () => {
    for (const path of ["/docs-assets/docs-init.js", "/docs-assets/vendor/swagger-ui-bundle.js", "/docs-assets/vendor/swagger-ui.css"]) {
      const response = await fetch(`${worker.url}${path}`);
      expect(response.status, path).toBe(200);
      await response.arrayBuffer();
      expect(response.headers.get("X-Content-Type-Options"), path).toBe("nosniff");
      expect(response.headers.get("X-Frame-Options"), path).toBe("DENY");
      expect(response.headers.get("Referrer-Policy"), path).toBe("no-referrer");
      expect(response.headers.get("Content-Security-Policy"), path).toBe("default-src 'none'; frame-ancestors 'none'");
    }
    // The rules file itself is not served.
    expect((await fetch(`${worker.url}/_headers`)).status).toBe(404);
  });
});
