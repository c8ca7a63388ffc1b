/** The caller's login sessions: list them, end one. */
import { publishEnded } from "../../auth/revocations";
import { NotFound } from "../../http/errors";
import { type Session, sessionOf } from "../../http/representations/sessions";
import type { CallerDeps } from "../../lib/deps";

export async function listSessions({ caller }: CallerDeps): Promise<Session[]> {
  const { sessions } = await caller.sessions.list(Date.now());
  return sessions.map((row) => sessionOf(row, caller.identity.sessionId));
}

/** Ends a live session of the caller; another user's or an unknown id is 404. */
export async function endOwnSession(deps: CallerDeps, { id }: { id: string }): Promise<void> {
  const { ended } = await deps.caller.sessions.end(id, Date.now());
  if (!ended) throw new NotFound();
  publishEnded(deps, [ended]);
}
