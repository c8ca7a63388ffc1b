/** The JSON shape of a login session (the sessions list, the export) and its representation. */
import { z } from "zod";
import type { SessionRow } from "../../store";

const dateTime = z.string().meta({ format: "date-time" });

export const sessionSchema = z
  .object({
    id: z.string(),
    created: dateTime,
    last_used: dateTime,
    user_agent: z.string().nullable().meta({ description: "The login request's User-Agent (at most 200 characters)." }),
    current: z.boolean().meta({ description: "Whether this is the session of the access token of this request." }),
  })
  .meta({ id: "Session", description: "A login session: the family of refresh tokens one login started." });

export const sessionListSchema = z.object({ results: z.array(sessionSchema) }).meta({ id: "SessionList" });

export const sessionIdParams = z.object({
  id: z.string().regex(/^[0-9a-f]{32}$/).meta({ description: "A session id, as the sessions list gives it." }),
});

export type Session = z.infer<typeof sessionSchema>;

/** A session as the API shows it; `current` when it is the session of the request's access token. */
export function sessionOf(row: SessionRow, currentSessionId: string): Session {
  return {
    id: row.id,
    created: row.createdAt.toISOString(),
    last_used: (row.lastUsedAt ?? row.createdAt).toISOString(),
    user_agent: row.userAgent,
    current: row.id === currentSessionId,
  };
}
