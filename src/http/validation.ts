/** zod failures in DRF's shape, and the router's hook for the query and path validators. */
import type { Hook } from "@hono/zod-openapi";
import type { z } from "@hono/zod-openapi";
import type { AppEnv } from "../env";
import { type FieldErrors, NotFound, ValidationFailed } from "./errors";

/** Groups zod issues by top-level field, as DRF reports them; body-level issues go to non_field_errors. */
export function fieldErrors(issues: readonly z.core.$ZodIssue[]): FieldErrors {
  const errors: FieldErrors = {};
  for (const issue of issues) {
    const field = issue.path.length > 0 ? String(issue.path[0]) : "non_field_errors";
    (errors[field] ??= []).push(issue.message);
  }
  return errors;
}

/** A path that names no object is 404 (Django's `<int:pk>` does not match); a bad query value is a field error. */
export const refuseInvalid: Hook<unknown, AppEnv, string, unknown> = (result) => {
  if (result.success) return;
  if (result.target === "param") throw new NotFound();
  throw new ValidationFailed(fieldErrors(result.error.issues));
};
