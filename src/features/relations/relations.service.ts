/**
 * Blocks, mutes and relationships: idempotent changes answering the target's relationship, one
 * atomic write each behind the caller's guard. The feed's work follows, after the response: a
 * block purges each side's posts from the other's feed, a mute the muted user's from the caller's,
 * and an unmute brings a followed author's posts back (the read-time checks hide them meanwhile).
 */
import { BadRequest, NotFound } from "../../http/errors";
import type { Cursor } from "../../http/pagination";
import type { CallerDeps } from "../../lib/deps";
import type { RelationshipRow } from "../../store";

export type RelationAction = "block" | "unblock" | "mute" | "unmute";

export async function changeRelation(deps: CallerDeps, { action, targetId }: { action: RelationAction; targetId: number }): Promise<RelationshipRow> {
  const { caller } = deps;
  if (caller.identity.id === targetId) {
    // Authentication still comes first, as in DRF.
    await caller.check();
    throw new BadRequest(`You cannot ${action} yourself.`);
  }
  const { relationship, feedPull } = await caller.relations.change(action, targetId, Date.now());
  if (!relationship) throw new NotFound();
  const ownerId = caller.identity.id;
  if (action === "block") {
    deps.feed.enqueue({ kind: "purge", ownerId, authorId: targetId });
    deps.feed.enqueue({ kind: "purge", ownerId: targetId, authorId: ownerId });
  } else if (action === "mute") {
    deps.feed.enqueue({ kind: "purge", ownerId, authorId: targetId });
  } else if (action === "unmute" && relationship.following && !feedPull) {
    // A pull author's posts are read from their own index: nothing to copy.
    deps.feed.enqueue({ kind: "backfill", ownerId, authorId: targetId });
  }
  return relationship;
}

/** `size + 1` entries in the cursor's direction (see `cursorPage`). */
export async function listRelated({ caller }: CallerDeps, { kind, cursor, size }: { kind: "blocks" | "mutes"; cursor: Cursor | undefined; size: number }) {
  const { entries } = await caller.relations.page(kind, cursor, size);
  return entries;
}

/** Ids no user can have are left out before the query (as unknown ones are). */
export async function relationships({ caller }: CallerDeps, { ids }: { ids: number[] }): Promise<RelationshipRow[]> {
  const possible = ids.filter((id) => Number.isSafeInteger(id) && id >= 1);
  if (possible.length === 0) {
    await caller.check();
    return [];
  }
  return (await caller.relations.relationships(possible)).relationships;
}
