/** The OpenAPI 3.1 document, generated from the route definitions the app was built from. */
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../../env";

const INFO = {
  title: "social-media-api",
  version: "1.0.0",
  description:
    "Registration, JWT authentication and the follow graph of the Django REST framework social_media_api, on Cloudflare Workers. Every path also works without the trailing slash.",
};

const TAGS = ["auth", "social login", "two-factor", "passkeys", "profile", "follows", "users", "posts", "comments", "likes", "feed", "notifications", "relations", "media", "docs"].map((name) => ({ name }));

/** DRF's paths end in a slash: the document shows `/api/...` paths as DRF clients know them. */
const drfPath = (path: string) => (path.startsWith("/api/") && !path.endsWith("/") ? `${path}/` : path);

const documents = new WeakMap<object, object>();

/** The document of `app` (built once per isolate: the routes do not change while it runs). */
export function openApiDocument(app: OpenAPIHono<AppEnv>): object {
  let document = documents.get(app);
  if (!document) {
    const generated = app.getOpenAPI31Document({ openapi: "3.1.0", info: INFO, servers: [{ url: "/" }], tags: TAGS });
    document = {
      ...generated,
      paths: Object.fromEntries(Object.entries(generated.paths ?? {}).map(([path, item]) => [drfPath(path), item])),
      components: {
        ...generated.components,
        securitySchemes: { bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT" } },
      },
    };
    documents.set(app, document);
  }
  return document;
}
