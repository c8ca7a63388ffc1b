import type { OpenAPIHono, RouteHandler } from "@hono/zod-openapi";
import type { AppEnv } from "../../env";
import { openApiDocument } from "./docs.document";
import type { docsPageRoute, schemaRoute } from "./docs.routes";

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>social-media-api — API reference</title>
<link rel="stylesheet" href="/docs-assets/vendor/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/docs-assets/vendor/swagger-ui-bundle.js"></script>
<script src="/docs-assets/docs-init.js"></script>
</body>
</html>
`;

// Everything the page loads comes from this origin; Swagger UI needs inline styles and data: images.
const PAGE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; font-src 'self' data:; frame-ancestors 'none'";

export const schemaHandler = (app: () => OpenAPIHono<AppEnv>): RouteHandler<typeof schemaRoute, AppEnv> => (c) =>
  c.json(openApiDocument(app()) as Record<string, never>, 200);

export const docsPageHandler: RouteHandler<typeof docsPageRoute, AppEnv> = (c) => {
  c.header("Content-Security-Policy", PAGE_CSP);
  return c.html(PAGE, 200);
};
