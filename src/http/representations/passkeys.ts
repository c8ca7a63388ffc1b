/** The JSON shape of a passkey (the passkeys list, registration, the export) and its representation. */
import { z } from "zod";
import type { PasskeyRow } from "../../store";

const dateTime = z.string().meta({ format: "date-time" });

export const passkeySchema = z
  .object({
    id: z.number().int(),
    name: z.string().meta({ description: "The name its owner gave it at registration." }),
    created: dateTime,
    last_used: dateTime.nullable().meta({ description: "Its last sign-in (null before the first)." }),
  })
  .meta({ id: "Passkey", description: "A passkey (WebAuthn credential) of the user: its public key stays on the server, never shown." });

export const passkeyListSchema = z.object({ results: z.array(passkeySchema) }).meta({ id: "PasskeyList" });

export const passkeyIdParams = z.object({
  id: z
    .string()
    .regex(/^[0-9]{1,16}$/)
    .transform(Number)
    .refine((id) => Number.isSafeInteger(id) && id >= 1)
    .meta({ type: "integer", minimum: 1, description: "A passkey id, as the passkeys list gives it." }),
});

export type Passkey = z.infer<typeof passkeySchema>;

export function passkeyOf(row: PasskeyRow): Passkey {
  return { id: row.id, name: row.name, created: row.createdAt.toISOString(), last_used: row.lastUsedAt ? row.lastUsedAt.toISOString() : null };
}
