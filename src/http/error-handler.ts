/** The one place error bodies are written: typed ApiErrors as DRF shapes, anything else as a logged 500. */
import type { Context, ErrorHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { AppEnv } from "../env";
import { ApiError } from "./errors";
import { redact } from "./request-log";

export function errorResponse(c: Context, error: ApiError): Response {
  return c.json(error.body, error.status, error.headers);
}

export const onError: ErrorHandler<AppEnv> = (error, c) => {
  if (error instanceof ApiError) return errorResponse(c, error);
  if (error instanceof HTTPException && error.status < 500) {
    return c.json({ detail: error.message }, error.status as ContentfulStatusCode);
  }
  // No request body is logged, and anything shaped like a token or a hash is redacted.
  console.error(
    JSON.stringify({
      level: "error",
      request_id: c.var.requestId,
      error: error.name,
      message: redact(error.message),
      stack: redact(error.stack),
    }),
  );
  return c.json({ detail: "A server error occurred." }, 500);
};
