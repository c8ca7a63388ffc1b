import { createRoute, z } from "@hono/zod-openapi";
import { everyRoute } from "../../http/openapi";

const publicJwkSchema = z
  .object({
    kty: z.string(),
    kid: z.string(),
    alg: z.enum(["ES256", "EdDSA"]),
    use: z.literal("sig"),
    crv: z.string(),
    x: z.string(),
    y: z.string().optional(),
  })
  .meta({ id: "PublicJwk", description: "A public signing key (RFC 7517); never a private part." });

export const jwksSchema = z.object({ keys: z.array(publicJwkSchema) }).meta({ id: "JwkSet" });

export const jwksRoute = createRoute({
  method: "get", path: "/.well-known/jwks.json", tags: ["auth"],
  summary: "The public keys that verify this service's access tokens (typ at+jwt; empty with HS256)",
  responses: {
    200: {
      description: "The JWK Set of the current and previous keys.",
      headers: { "Cache-Control": { schema: { type: "string" as const }, required: true, description: "public, max-age=300" } },
      content: { "application/json": { schema: jwksSchema } },
    },
    ...everyRoute,
  },
});
