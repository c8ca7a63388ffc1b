/** The JSON shape of a linked provider identity (the linked-accounts list, connect, the export) and its representation. */
import { z } from "zod";
import type { SocialAccountRow } from "../../store";

export const socialAccountSchema = z
  .object({
    id: z.number().int(),
    provider: z.string().meta({ description: "google, github, apple, microsoft, or the id of an OIDC_PROVIDERS entry." }),
    uid: z.string().meta({ description: "The account's stable id at the provider (an ID token's `sub`, GitHub's user id)." }),
    email: z.string().nullable().meta({ description: "The address the provider gave when the account was linked." }),
    created: z.string().meta({ format: "date-time" }),
  })
  .meta({ id: "SocialAccount", description: "A provider account linked to the user: signing in with it signs in as the user." });

export const socialAccountListSchema = z.object({ results: z.array(socialAccountSchema) }).meta({ id: "SocialAccountList" });

export type SocialAccount = z.infer<typeof socialAccountSchema>;

export function socialAccountOf(row: SocialAccountRow): SocialAccount {
  return { id: row.id, provider: row.provider, uid: row.uid, email: row.email, created: row.createdAt.toISOString() };
}
