/**
 * A feature's router. Each route is one `createRoute` object, and `openapi(route, handler)`
 * turns it into everything: the OpenAPI operation, the path and method, the query and path
 * validators, and, from the definition alone, authentication (a route with bearer security) and
 * the body middleware (a route with a request body). Nothing else lists routes.
 */
import { OpenAPIHono, type RouteConfig } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import { authenticate, authenticateIfPresent } from "../auth/bearer";
import type { AppEnv } from "../env";
import { parseBody } from "../http/body";
import { refuseInvalid } from "../http/validation";

/** Whether a route's definition takes a Bearer access token: "required", "optional" (anonymous allowed: an empty requirement), or not at all. */
export function bearerMode(route: Pick<RouteConfig, "security">): "required" | "optional" | undefined {
  if (!route.security?.some((requirement) => "bearer" in requirement)) return undefined;
  return route.security.some((requirement) => Object.keys(requirement).length === 0) ? "optional" : "required";
}


/** A path as the document shows it: `{key{.+}}` (a Hono pattern, for values with slashes) is `{key}`. */
function documentedPath(path: string): string {
  return path.replace(/\{(\w+)\{[^}]*\}\}/g, "{$1}");
}

export class ApiRouter extends OpenAPIHono<AppEnv> {
  constructor() {
    // strict: false makes `/api/auth/login` and `/api/auth/login/` the same route, with no redirect.
    super({ strict: false, defaultHook: refuseInvalid });
    const register = this.openapi;
    this.openapi = ((route: RouteConfig, handler: never, hook: never) => {
      const { middleware, hide: _hide, ...definition } = route;
      this.openAPIRegistry.registerPath({ ...definition, path: documentedPath(definition.path) });
      // The body is parsed by our own middleware (DRF's three parsers and limits), so the
      // library is given the route without it and registers no body validator of its own.
      const { body, ...request } = definition.request ?? {};
      const steps: MiddlewareHandler[] = [];
      // Authentication first: as in DRF, a 401 comes before any complaint about the body.
      const bearer = bearerMode(definition);
      if (bearer) steps.push(bearer === "required" ? authenticate : authenticateIfPresent);
      if (body) steps.push(parseBody(body as Parameters<typeof parseBody>[0]));
      if (middleware) steps.push(...(Array.isArray(middleware) ? middleware : [middleware]));
      return register({ ...definition, request, hide: true, middleware: steps }, handler, hook);
    }) as typeof register;
  }
}

export function createRouter(): ApiRouter {
  return new ApiRouter();
}
