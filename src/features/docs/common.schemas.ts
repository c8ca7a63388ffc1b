/** Response shapes shared by many routes (errors, tokens), registered for the OpenAPI document. */
import { z } from "zod";

export const detailSchema = z.object({ detail: z.string() }).meta({ id: "Detail" });

export const fieldErrorsSchema = z
  .record(z.string(), z.array(z.string()))
  .meta({ id: "FieldErrors", description: 'DRF validation errors: {"field": ["message", ...], "non_field_errors": [...]}' });

export const authErrorSchema = z
  .object({
    detail: z.string(),
    code: z.string().optional(),
    messages: z.array(z.object({ token_class: z.string(), token_type: z.string(), message: z.string() })).optional(),
  })
  .meta({ id: "AuthError" });

export const tokenPairSchema = z.object({ refresh: z.string(), access: z.string() }).meta({ id: "TokenPair" });
export const emptySchema = z.object({}).meta({ id: "Empty" });
export const healthSchema = z.object({ status: z.literal("ok") }).meta({ id: "Health" });
