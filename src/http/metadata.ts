/**
 * DRF's answer to OPTIONS (SimpleMetadata): the view's name and description, what it renders and
 * parses, and for each method with a body the fields it takes, all read from the OpenAPI
 * document, so they come from the same schemas that validate the requests.
 */

type JsonSchema = { $ref?: string; type?: string | string[]; format?: string; maxLength?: number; minLength?: number; properties?: Record<string, JsonSchema>; required?: string[] };
interface Operation {
  summary?: string;
  description?: string;
  requestBody?: { content: Record<string, { schema: JsonSchema }> };
}
export interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, JsonSchema> };
}

const RENDERS = ["application/json"];

/** `/api/users/:id/followers` as the document writes it: `/api/users/{id}/followers/`. */
function documentPath(pattern: string): string {
  const path = pattern.replace(/:(\w+)(\{[^}]*\})?/g, "{$1}");
  return path.startsWith("/api/") ? `${path}/` : path;
}

function resolve(document: OpenApiDocument, schema: JsonSchema): JsonSchema {
  const id = schema.$ref?.replace("#/components/schemas/", "");
  return id ? (document.components?.schemas?.[id] ?? {}) : schema;
}

/** DRF's label: the field name with underscores as spaces, capitalised. */
const label = (name: string) => name.charAt(0).toUpperCase() + name.slice(1).replaceAll("_", " ");

/** SimpleMetadata's label_lookup, as far as this API's fields go: the serializer field class by its JSON Schema. */
function fieldType(schema: JsonSchema): string {
  if (schema.format === "binary") return "image upload";
  if (schema.format === "email") return "email";
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== "null") : schema.type;
  return type === "string" || type === "integer" || type === "boolean" ? type : "field";
}

function fields(document: OpenApiDocument, body: JsonSchema) {
  const resolved = resolve(document, body);
  return Object.fromEntries(
    Object.entries(resolved.properties ?? {}).map(([name, field]) => [
      name,
      {
        type: fieldType(field),
        required: resolved.required?.includes(name) ?? false,
        read_only: false,
        label: label(name),
        ...(field.maxLength !== undefined ? { max_length: field.maxLength } : {}),
        ...(field.minLength !== undefined ? { min_length: field.minLength } : {}),
      },
    ]),
  );
}

export function drfMetadata(document: OpenApiDocument, pattern: string, allowed: string[]) {
  const operations = document.paths[documentPath(pattern)] ?? {};
  const first = Object.values(operations)[0];
  const actions: Record<string, unknown> = {};
  const parses = new Set<string>();
  for (const method of allowed) {
    const body = operations[method.toLowerCase()]?.requestBody;
    if (!body) continue;
    for (const type of Object.keys(body.content)) parses.add(type);
    actions[method] = fields(document, Object.values(body.content)[0]!.schema);
  }
  return {
    name: first?.summary ?? pattern,
    description: first?.description ?? "",
    renders: RENDERS,
    parses: parses.size > 0 ? [...parses] : ["application/json", "application/x-www-form-urlencoded", "multipart/form-data"],
    ...(Object.keys(actions).length > 0 ? { actions } : {}),
  };
}
