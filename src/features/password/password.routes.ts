import { createRoute } from "@hono/zod-openapi";
import { bearerSecurity, detailSchema, errorResponses, everyRoute, jsonResponse, requestBody, withBearer, withBody } from "../../http/openapi";
import { passwordChangeBody } from "./password.schemas";

export const passwordChangeRoute = createRoute({
  method: "post", path: "/password/change", tags: ["auth"], summary: "Change the caller's password",
  security: bearerSecurity,
  request: { body: requestBody(passwordChangeBody) },
  responses: {
    200: jsonResponse(detailSchema, "Saved; every login session of the user has ended."),
    ...withBody, ...withBearer, ...everyRoute,
    429: errorResponses.throttled,
  },
});
