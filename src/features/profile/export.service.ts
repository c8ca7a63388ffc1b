/**
 * GET /api/auth/profile/export/: everything the service holds about the caller, as one JSON
 * document written while it is read: the profile, then the followers and the following in
 * pages of PAGE rows (keyset pages of the follow indexes), then the sessions, then the known
 * addresses in pages too (keyset pages of their primary key), then the two-factor state (on or
 * off, recovery codes left; never a secret), then the passkeys (names and dates; no key). Memory holds one page at a time, however many
 * followers or addresses there are.
 */
import { passkeyOf } from "../../http/representations/passkeys";
import { sessionOf } from "../../http/representations/sessions";
import { profileOf, publicUserOf } from "../../http/representations/users";
import type { CallerDeps } from "../../lib/deps";
import type { FollowDirection } from "../../store";

const PAGE = 500;

export interface Export {
  username: string;
  body: ReadableStream<Uint8Array>;
}

/** Checks the caller and reads the profile; the rest is read as the stream is consumed. */
export async function exportAccount(deps: CallerDeps, { origin }: { origin: string }): Promise<Export> {
  const { caller } = deps;
  const user = await caller.check();
  const encoder = new TextEncoder();
  async function* parts(): AsyncGenerator<string> {
    yield `{"profile":${JSON.stringify(profileOf(user, origin))}`;
    for (const direction of ["followers", "following"] as FollowDirection[]) {
      yield `,"${direction}":[`;
      let cursor: { id: number; forward: boolean } | undefined;
      let first = true;
      for (;;) {
        const { entries: rows } = await caller.follows.page(user.id, direction, cursor, PAGE - 1);
        const page = rows.slice(0, PAGE - 1);
        if (page.length > 0) {
          yield (first ? "" : ",") + page.map((row) => JSON.stringify(publicUserOf(row.user, row.isFollowing, origin))).join(",");
          first = false;
        }
        if (rows.length < PAGE) break;
        cursor = { id: page.at(-1)!.position, forward: true };
      }
      yield "]";
    }
    const { sessions } = await caller.sessions.list(Date.now());
    yield `,"sessions":${JSON.stringify(sessions.map((row) => sessionOf(row, caller.identity.sessionId)))}`;
    yield `,"known_addresses":[`;
    let after: string | undefined;
    for (;;) {
      const { rows } = await caller.knownAddresses(after, PAGE);
      if (rows.length > 0) {
        yield (after === undefined ? "" : ",") + rows.map((row) => JSON.stringify({ address: row.address, last_seen: new Date(row.lastSeen).toISOString() })).join(",");
      }
      if (rows.length < PAGE) break;
      after = rows.at(-1)!.address;
    }
    yield "]";
    // Whether two-factor is on and how many recovery codes are left: never a secret or a code's hash.
    const { caller: now, factor } = await caller.mfa.factor([], Date.now());
    const twoFactor = { enabled: now.mfaEnabled, recovery_codes_remaining: now.mfaEnabled ? (factor?.recoveryCodes ?? 0) : 0 };
    yield `,"two_factor":${JSON.stringify(twoFactor)}`;
    const { passkeys } = await caller.passkeys.list();
    yield `,"passkeys":${JSON.stringify(passkeys.map(passkeyOf))}}`;
  }
  const iterator = parts();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await iterator.next();
      if (next.done) controller.close();
      else controller.enqueue(encoder.encode(next.value));
    },
    async cancel() {
      await iterator.return(undefined);
    },
  });
  return { username: user.username, body };
}
