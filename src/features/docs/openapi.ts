/** Builds the OpenAPI 3.1 document from `operations` and the zod schemas they name. */
import { z } from "zod";
import { type Operation, operations } from "./operations";

const ref = (id: string) => `#/components/schemas/${id}`;
type JsonSchema = Record<string, unknown>;

/** zod's JSON Schema, as a component: no $schema or $id of its own. */
function component(schema: JsonSchema): JsonSchema {
  const { $schema: _schema, $id: _id, ...rest } = schema;
  return rest;
}

/** Request bodies by schema: one component per schema, under the first name an operation gives it. */
const requests = z.registry<{ id: string }>();
for (const operation of operations) {
  if (operation.body && !requests.has(operation.body.schema)) requests.add(operation.body.schema, { id: operation.body.name });
}
const requestId = (schema: z.ZodType) => requests.get(schema)!.id;

function buildComponents(): Record<string, JsonSchema> {
  // Request bodies are described as clients send them (io: input), responses as we send them.
  const requestSchemas = z.toJSONSchema(requests, { io: "input", uri: ref, unrepresentable: "any" }).schemas;
  const responseSchemas = z.toJSONSchema(z.globalRegistry, { io: "output", uri: ref, unrepresentable: "any" }).schemas;
  return Object.fromEntries(Object.entries({ ...responseSchemas, ...requestSchemas }).map(([id, schema]) => [id, component(schema as JsonSchema)]));
}

function idOf(schema: z.ZodType): string | undefined {
  return z.globalRegistry.get(schema)?.id as string | undefined;
}

function operationObject(operation: Operation) {
  const responses = Object.fromEntries(
    Object.entries(operation.responses).map(([status, response]) => {
      const schemaId = response.schema ? idOf(response.schema) : undefined;
      const content = schemaId
        ? { "application/json": { schema: { $ref: ref(schemaId) } } }
        : response.mediaType
          ? { [response.mediaType]: {} }
          : undefined;
      return [status, { description: response.description, ...(content ? { content } : {}) }];
    }),
  );
  const body = operation.body && {
    required: true,
    content: Object.fromEntries(
      ["application/json", "application/x-www-form-urlencoded", ...(operation.body.multipart ? ["multipart/form-data"] : [])].map(
        (type) => [type, { schema: { $ref: ref(requestId(operation.body!.schema)) } }],
      ),
    ),
  };
  return {
    tags: [operation.tag],
    summary: operation.summary,
    operationId: `${operation.method}_${operation.path.replace(/[{}]/g, "").replace(/\W+/g, "_").replace(/^_|_$/g, "")}`,
    ...(operation.parameters ? { parameters: operation.parameters } : {}),
    ...(body ? { requestBody: body } : {}),
    responses,
    ...(operation.bearer ? { security: [{ bearer: [] }] } : {}),
  };
}

let document: object | undefined;

export function openApiDocument(): object {
  if (document) return document;
  const paths: Record<string, Record<string, unknown>> = {};
  for (const operation of operations) (paths[operation.path] ??= {})[operation.method] = operationObject(operation);
  document = {
    openapi: "3.1.0",
    info: {
      title: "social-media-api",
      version: "1.0.0",
      description:
        "Registration, JWT authentication and the follow graph of the Django REST framework social_media_api, on Cloudflare Workers. Every path also works without the trailing slash.",
    },
    servers: [{ url: "/" }],
    tags: ["auth", "profile", "follows", "users", "media", "docs"].map((name) => ({ name })),
    paths,
    components: {
      schemas: buildComponents(),
      securitySchemes: { bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT" } },
    },
  };
  return document;
}
