/**
 * What a request that matches no route gets, as DRF would answer it: a known path with another
 * method is 405 with `Allow` (after authentication, on protected paths), `OPTIONS` is DRF's
 * metadata, anything else 404. Hono's own `methodNotAllowed` middleware matches the raw path,
 * so it misses `/api/auth/login/` on this trailing-slash-insensitive router; this builds the same
 * method table from the app's routes and matches the path without its trailing slash.
 */
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Context, NotFoundHandler } from "hono";
import { TrieRouter } from "hono/router/trie-router";
import { authenticate, bearerClaims } from "../auth/bearer";
import type { AppEnv } from "../env";
import { errorResponse } from "./error-handler";
import { ApiError, MethodNotAllowed, NotFound } from "./errors";
import { type OpenApiDocument, drfMetadata } from "./metadata";

interface PathEntry {
  /** The route's path as Hono matches it (`/api/users/:id`). */
  pattern: string;
  methods: Set<string>;
  /** Whether a route on this path needs a Bearer token. */
  bearer: boolean;
}

function pathTable(app: OpenAPIHono<AppEnv>): TrieRouter<PathEntry> {
  const entries = new Map<string, PathEntry>();
  for (const route of app.routes) {
    const entry = entries.get(route.path) ?? { pattern: route.path, methods: new Set<string>(), bearer: false };
    if (route.handler === authenticate) entry.bearer = true;
    if (route.method !== "ALL") {
      entry.methods.add(route.method);
      if (route.method === "GET") entry.methods.add("HEAD");
    }
    entries.set(route.path, entry);
  }
  const router = new TrieRouter<PathEntry>();
  for (const entry of entries.values()) if (entry.methods.size > 0) router.add("ALL", entry.pattern, entry);
  return router;
}

/**
 * The answer to a path no route has, made once: it is the most common answer to a scanner, and
 * constructing an Error for each was the largest cost of a 404 in a CPU profile under load.
 */
const NO_ROUTE = new NotFound();

/** The notFound handler of `app`; `document` gives the OpenAPI document the metadata comes from. */
export function answerUnmatched(app: OpenAPIHono<AppEnv>, document: () => OpenApiDocument): NotFoundHandler<AppEnv> {
  let table: TrieRouter<PathEntry> | undefined;
  // Hono calls notFound outside the middleware's error handling: errors are answered here, so
  // the answer still passes back through the middlewares (headers, log, Server-Timing).
  return async (c) => {
    try {
      return await answer(c);
    } catch (error) {
      if (error instanceof ApiError) return errorResponse(c, error);
      throw error;
    }
  };
  async function answer(c: Context<AppEnv>) {
    table ??= pathTable(app);
    const path = c.req.path.length > 1 ? c.req.path.replace(/\/+$/, "") : c.req.path;
    const [entry] = table.match("ALL", path)[0].map(([found]) => found);
    if (!entry) return errorResponse(c, NO_ROUTE);
    const allowed = [...entry.methods, "OPTIONS"];
    if (c.req.method === "OPTIONS") {
      return c.json(drfMetadata(document(), entry.pattern, allowed), 200, { Allow: allowed.join(", ") });
    }
    // As in DRF, authentication comes before the method check on protected paths.
    if (entry.bearer) await bearerClaims(c.get("config"), c.req.header("Authorization"));
    throw new MethodNotAllowed(c.req.method, allowed);
  }
}
