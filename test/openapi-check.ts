/**
 * Checks a response against the OpenAPI document the Worker publishes: the operation must list
 * its status, every header the document requires must be there, and a JSON body must match the
 * response's schema (@cfworker/json-schema, draft 2020-12, with the document's components).
 * `call()` runs it on every response, so the document cannot drift from what the API does.
 */
import { Validator } from "@cfworker/json-schema";
import { exports } from "cloudflare:workers";
import { expect } from "vitest";

type Schema = Record<string, unknown>;
interface ResponseSpec {
  headers?: Record<string, { required?: boolean }>;
  content?: Record<string, { schema: Schema }>;
}
interface Document {
  paths: Record<string, Record<string, { responses: Record<string, ResponseSpec> }>>;
  components: Record<string, unknown>;
}

let document: Promise<Document> | undefined;
function loadDocument(): Promise<Document> {
  document ??= exports.default.fetch(new Request("http://api.test/api/schema/")).then((response) => response.json() as Promise<Document>);
  return document;
}

/** The document's path template for a request path (`/api/users/5` is `/api/users/{id}/`). */
function templateFor(doc: Document, path: string): string | undefined {
  const wanted = path.startsWith("/api/") && !path.endsWith("/") ? `${path}/` : path;
  return Object.keys(doc.paths).find((template) => {
    const pattern = template.replace(/[.]/g, "\\.").replace("{key}", ".+").replace(/\{\w+\}/g, "[^/]+");
    return new RegExp(`^${pattern}$`).test(wanted);
  });
}

const validators = new Map<Schema, Validator>();
function validatorFor(doc: Document, schema: Schema): Validator {
  let validator = validators.get(schema);
  if (!validator) {
    // The schema is embedded in a root that carries the components, so `#/components/...` resolves.
    validator = new Validator({ ...schema, components: doc.components } as never, "2020-12", false);
    validators.set(schema, validator);
  }
  return validator;
}

/** What the document says about this response; null where the document has nothing to say (unknown paths, OPTIONS). */
export async function checkResponse(method: string, url: string, response: { status: number; headers: Headers; body: unknown }) {
  const doc = await loadDocument();
  const { pathname } = new URL(url);
  const template = templateFor(doc, pathname);
  // Unknown paths (404 before any route) and DRF's OPTIONS metadata are not operations.
  if (!template || method === "OPTIONS") return;
  const item = doc.paths[template]!;
  const operation = item[method === "HEAD" ? "get" : method.toLowerCase()] ?? Object.values(item)[0]!;
  const where = `${method} ${template} ${response.status}`;
  const spec = operation.responses[String(response.status)];
  expect(spec, `${where}: status not in the document (${JSON.stringify(response.body)})`).toBeDefined();
  for (const [name, header] of Object.entries(spec!.headers ?? {})) {
    if (header.required) expect(response.headers.has(name), `${where}: header ${name} missing`).toBe(true);
  }
  const json = spec!.content?.["application/json"];
  if (json && method !== "HEAD") {
    const result = validatorFor(doc, json.schema).validate(response.body);
    expect(result.errors, `${where}: body ${JSON.stringify(response.body)}`).toEqual([]);
  } else if (!json && response.body !== undefined && !spec!.content) {
    expect.fail(`${where}: a body the document does not describe`);
  }
}
