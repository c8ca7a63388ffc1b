/** DRF answers a known path with an unknown method by 405 and an `Allow` header; Hono alone would say 404. */
import type { Hono } from "hono";
import type { AppEnv } from "../env";
import { MethodNotAllowed } from "./errors";

const BODY_TYPES = ["application/json", "application/x-www-form-urlencoded", "multipart/form-data"];

/** Call after every route is registered: each path gets a catch-all that names the methods it takes. */
export function answerOtherMethods(app: Hono<AppEnv>): void {
  const methodsByPath = new Map<string, Set<string>>();
  for (const route of app.routes) {
    if (route.method === "ALL") continue;
    const methods = methodsByPath.get(route.path) ?? new Set<string>();
    methods.add(route.method);
    if (route.method === "GET") methods.add("HEAD");
    methodsByPath.set(route.path, methods);
  }
  for (const [path, methods] of methodsByPath) {
    const allowed = [...methods, "OPTIONS"];
    app.all(path, (c) => {
      if (c.req.method === "OPTIONS") {
        // DRF's metadata answer; CORS preflights never reach this (the cors middleware answers them).
        return c.json({ name: path, renders: ["application/json"], parses: BODY_TYPES }, 200, { Allow: allowed.join(", ") });
      }
      throw new MethodNotAllowed(c.req.method, allowed);
    });
  }
}
