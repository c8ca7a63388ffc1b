/** The caller's login sessions: list them, end one. */
import { endSession, liveSessionsOf } from "../../db/token-families";
import { NotFound } from "../../http/errors";
import type { CallerDeps } from "../../lib/deps";
import { forgetFamilies } from "../tokens/tokens.service";
import type { Session } from "./sessions.schemas";

export async function listSessions({ caller, db }: CallerDeps): Promise<Session[]> {
  const { results: [rows] } = await caller.batch([liveSessionsOf(db, caller.id)]);
  return rows.map((row) => ({
    id: row.id,
    created: row.createdAt.toISOString(),
    last_used: (row.lastUsedAt ?? row.createdAt).toISOString(),
    user_agent: row.userAgent,
    current: row.id === caller.identity.sessionId,
  }));
}

/** Ends a live session of the caller; another user's or an unknown id is 404. */
export async function endOwnSession(deps: CallerDeps, { id }: { id: string }): Promise<void> {
  const { caller, db } = deps;
  const { results: [ended] } = await caller.batch([endSession(db, caller.id, id)]);
  if (ended.length === 0) throw new NotFound();
  forgetFamilies(deps, ended);
}
