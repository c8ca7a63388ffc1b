import { createRoute } from "@hono/zod-openapi";
import { detailSchema, errorResponses, everyRoute, jsonResponse, requestBody, withBody } from "../../http/openapi";
import { registerBody } from "./registration.schemas";

export const registerRoute = createRoute({
  method: "post", path: "/register", tags: ["auth"], summary: "Register a user",
  request: { body: requestBody(registerBody) },
  responses: {
    201: jsonResponse(detailSchema, "Registered."),
    ...withBody, ...everyRoute,
    429: errorResponses.throttled,
  },
});
