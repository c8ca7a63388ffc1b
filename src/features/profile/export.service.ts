/**
 * GET /api/auth/profile/export/: everything the service holds about the caller, as one JSON
 * document written while it is read: the profile, then the followers and the following in
 * pages of PAGE rows (keyset pages of the follow indexes), then the sessions. Memory holds one
 * page at a time, however many followers there are.
 */
import type { FollowDirection } from "../../db/follows";
import { followPageStatements } from "../../db/follows";
import type { CallerDeps } from "../../lib/deps";
import { listSessions } from "../sessions/sessions.service";
import { profileOf, publicUserOf } from "../users/users.representations";

const PAGE = 500;

export interface Export {
  username: string;
  body: ReadableStream<Uint8Array>;
}

/** Checks the caller and reads the profile; the rest is read as the stream is consumed. */
export async function exportAccount(deps: CallerDeps, { origin }: { origin: string }): Promise<Export> {
  const { caller, db } = deps;
  const user = await caller.check();
  const encoder = new TextEncoder();
  async function* parts(): AsyncGenerator<string> {
    yield `{"profile":${JSON.stringify(profileOf(user, origin))}`;
    for (const direction of ["followers", "following"] as FollowDirection[]) {
      yield `,"${direction}":[`;
      let cursor: { id: number; forward: boolean } | undefined;
      let first = true;
      for (;;) {
        const { results: [, rows] } = await caller.batch(followPageStatements(db, caller.id, caller.id, direction, cursor, PAGE - 1));
        const page = rows.slice(0, PAGE - 1);
        if (page.length > 0) {
          yield (first ? "" : ",") + page.map((row) => JSON.stringify(publicUserOf(row.user, Boolean(row.isFollowing), origin))).join(",");
          first = false;
        }
        if (rows.length < PAGE) break;
        cursor = { id: page.at(-1)!.position, forward: true };
      }
      yield "]";
    }
    yield `,"sessions":${JSON.stringify(await listSessions(deps))}}`;
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
