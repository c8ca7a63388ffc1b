/**
 * GET /api/auth/profile/export/: everything the service holds about the caller, as one JSON
 * document written while it is read: the profile, then each list in keyset pages (each page one
 * read of an index range: the follow indexes, the known addresses' primary key, the caller's
 * posts, comments, likes, blocks, mutes and notifications), with the sessions, the linked
 * provider accounts, the two-factor state (on or off, recovery codes left; never a secret) and
 * the passkeys (names and dates; no key). Memory holds one page at a time,
 * however long any list is: PAGE rows, or POST_PAGE posts (a post's content is the longest text).
 */
import { commentOf, postOf } from "../../http/representations/posts";
import { passkeyOf } from "../../http/representations/passkeys";
import { sessionOf } from "../../http/representations/sessions";
import { socialAccountOf } from "../../http/representations/social-accounts";
import { notificationOf } from "../../http/representations/social";
import { profileOf, publicUserOf } from "../../http/representations/users";
import type { CallerDeps } from "../../lib/deps";
import type { Entry, UserRow } from "../../store";

const PAGE = 500;
const POST_PAGE = 100;

export interface Export {
  username: string;
  body: ReadableStream<Uint8Array>;
}

/** A page read: up to `limit + 1` entries after position `after` (from the start without one). */
type PageRead<T> = (after: number | undefined, limit: number) => Promise<Entry<T>[]>;

/** `,"<name>":[...]`, written a page of `size` at a time, each entry as `show` gives it. */
async function* list<T>(name: string, read: PageRead<T>, show: (row: T) => unknown, size = PAGE): AsyncGenerator<string> {
  yield `,"${name}":[`;
  let after: number | undefined;
  for (let first = true; ; first = false) {
    const entries = await read(after, size);
    const page = entries.slice(0, size);
    if (page.length > 0) yield (first ? "" : ",") + page.map((entry) => JSON.stringify(show(entry.row))).join(",");
    if (entries.length <= size) break;
    after = page.at(-1)!.position;
  }
  yield "]";
}

/** Checks the caller and reads the profile; the rest is read as the stream is consumed. */
export async function exportAccount(deps: CallerDeps, { origin }: { origin: string }): Promise<Export> {
  const { caller } = deps;
  const user = await caller.check();
  const encoder = new TextEncoder();
  const forward = (after: number | undefined) => (after === undefined ? undefined : { id: after, forward: true });
  const related = (row: { user: UserRow; isFollowing: boolean }) => publicUserOf(row.user, row.isFollowing, origin);
  async function* parts(): AsyncGenerator<string> {
    yield `{"profile":${JSON.stringify(profileOf(user, origin))}`;
    for (const direction of ["followers", "following"] as const) {
      yield* list(direction, async (after, limit) => (await caller.follows.page(user.id, direction, forward(after), limit)).entries.map((entry) => ({ position: entry.position, row: entry })), related);
    }
    const { sessions } = await caller.sessions.list(Date.now());
    yield `,"sessions":${JSON.stringify(sessions.map((row) => sessionOf(row, caller.identity.sessionId)))}`;
    // The linked provider accounts as the list shows them: ids and addresses, never a provider's token.
    const { accounts } = await caller.socialAccounts.list();
    yield `,"social_accounts":${JSON.stringify(accounts.map(socialAccountOf))}`;
    yield `,"known_addresses":[`;
    let address: string | undefined;
    for (;;) {
      const { rows } = await caller.knownAddresses(address, PAGE);
      if (rows.length > 0) {
        yield (address === undefined ? "" : ",") + rows.map((row) => JSON.stringify({ address: row.address, last_seen: new Date(row.lastSeen).toISOString() })).join(",");
      }
      if (rows.length < PAGE) break;
      address = rows.at(-1)!.address;
    }
    yield "]";
    // Whether two-factor is on and how many recovery codes are left: never a secret or a code's hash.
    const { caller: now, factor } = await caller.mfa.factor([], Date.now());
    const twoFactor = { enabled: now.mfaEnabled, recovery_codes_remaining: now.mfaEnabled ? (factor?.recoveryCodes ?? 0) : 0 };
    yield `,"two_factor":${JSON.stringify(twoFactor)}`;
    yield* list("posts", async (after, limit) => (await caller.content.userPostsPage(user.id, forward(after), limit)).entries, postOf, POST_PAGE);
    yield* list("comments", async (after, limit) => (await caller.export.comments(after, limit)).entries, commentOf);
    yield* list("likes", async (after, limit) => (await caller.export.likes(after, limit)).entries, (like) => ({ post: like.postId, created_at: like.createdAt.toISOString() }));
    for (const kind of ["blocks", "mutes"] as const) {
      yield* list(kind, async (after, limit) => (await caller.relations.page(kind, forward(after), limit)).entries, related);
    }
    yield* list("notifications", async (after, limit) => (await caller.export.notifications(after, limit)).entries, (row) => notificationOf(row, origin));
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
