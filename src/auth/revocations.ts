/**
 * The global deny-list of refresh-token families in KV. KV is eventually consistent (a write
 * may take a minute or more to reach other locations) and has no compare-and-set, so it only
 * answers "known revoked" quickly; D1 decides everything else. Entries expire with the tokens.
 */

import type { EndedSession } from "../store";

const KEY_PREFIX = "revoked-family:";
/** KV refuses an expirationTtl under 60 seconds. */
const MIN_TTL_SECONDS = 60;

export interface RevocationList {
  isRevoked(familyId: string): Promise<boolean>;
  /** Records a revoked family until its last token expires. */
  add(familyId: string, expiresAt: Date): Promise<void>;
}

export function kvRevocationList(kv: KVNamespace): RevocationList {
  return {
    async isRevoked(familyId) {
      return (await kv.get(KEY_PREFIX + familyId)) !== null;
    },
    async add(familyId, expiresAt) {
      const remaining = Math.ceil((expiresAt.getTime() - Date.now()) / 1000);
      await kv.put(KEY_PREFIX + familyId, "1", { expirationTtl: Math.max(MIN_TTL_SECONDS, remaining) });
    },
  };
}

/** Publishes sessions that have just ended to the deny-list, after the response. */
export function publishEnded(deps: { revocations: RevocationList; defer: (work: Promise<unknown>) => void }, sessions: EndedSession[]): void {
  for (const session of sessions) deps.defer(deps.revocations.add(session.id, session.expiresAt));
}
