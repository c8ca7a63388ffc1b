/** Request validation: zod schemas through @hono/zod-validator, failures in DRF's shape. */
import { zValidator } from "@hono/zod-validator";
import type { Context, Next } from "hono";
import type { z } from "zod";
import { type BodyLimits, loadBody } from "./body";
import { type FieldErrors, ValidationFailed } from "./errors";

/** Groups zod issues by top-level field, as DRF reports them; body-level issues go to non_field_errors. */
export function fieldErrors(issues: readonly z.core.$ZodIssue[]): FieldErrors {
  const errors: FieldErrors = {};
  for (const issue of issues) {
    const field = issue.path.length > 0 ? String(issue.path[0]) : "non_field_errors";
    (errors[field] ??= []).push(issue.message);
  }
  return errors;
}

function throwFieldErrors(result: { success: boolean; error?: z.core.$ZodError }): void {
  if (!result.success && result.error) throw new ValidationFailed(fieldErrors(result.error.issues));
}

/**
 * Validates a write route's body (JSON, form or multipart) against `schema`; handlers read the
 * result with `c.req.valid("json")`. Routes that take files raise `multipartMaxBytes`.
 */
export function validBody<T extends z.ZodType>(schema: T, limits?: BodyLimits) {
  const validate = zValidator("json", schema, throwFieldErrors);
  const withBody: typeof validate = async (c: Context, next: Next) => {
    await loadBody(c, limits);
    return validate(c, next);
  };
  return withBody;
}

