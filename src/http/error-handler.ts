/** The one place error bodies are written: typed ApiErrors as DRF shapes, anything else as a logged 500. */
import type { Context, ErrorHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { AppEnv } from "../env";
import { CallerRefused } from "../store";
import { ApiError, InvalidAccessToken, UserInactive, UserNotFound } from "./errors";
import { redact } from "./request-log";

export function errorResponse(c: Context, error: ApiError): Response {
  return c.json(error.body, error.status, error.headers);
}

/** simplejwt's answers for a refused caller: the user gone, inactive, or the session ended. */
function refusal(error: CallerRefused): ApiError {
  if (error.reason === "user_not_found") return new UserNotFound();
  if (error.reason === "user_inactive") return new UserInactive();
  return new InvalidAccessToken("Token is invalid or expired");
}

export const onError: ErrorHandler<AppEnv> = (error, c) => {
  if (error instanceof ApiError) return errorResponse(c, error);
  if (error instanceof CallerRefused) return errorResponse(c, refusal(error));
  if (error instanceof HTTPException && error.status < 500) {
    return c.json({ detail: error.message }, error.status as ContentfulStatusCode);
  }
  // No request body or query parameter is logged, and anything shaped like a token or a hash is redacted.
  console.error(
    JSON.stringify({
      level: "error",
      request_id: c.get("requestId"),
      error: error.name,
      message: redact(logMessage(error)),
      stack: redact(stackFrames(error.stack)),
    }),
  );
  return c.json({ detail: "A server error occurred." }, 500);
};

/**
 * What the log may say about an error. Drizzle's query errors read "Failed query: <sql>
 * params: <values>", and the values are personal data (emails, usernames): the SQL and the
 * driver's reason are kept, the parameters never.
 */
export function logMessage(error: Error): string {
  const failed = /^Failed query: ([\s\S]*?)\nparams: /.exec(error.message);
  if (!failed) return error.message;
  const reason = error.cause instanceof Error ? error.cause.message : "unknown reason";
  return `Failed query: ${failed[1]} (${reason})`;
}

/** The stack's frames only: its first lines repeat the message, parameters included. */
function stackFrames(stack: string | undefined): string | undefined {
  return stack
    ?.split("\n")
    .filter((line) => line.trimStart().startsWith("at "))
    .join("\n");
}
