/** The users routes' work: the admin list, one user as the caller sees them, and follow lists. */
import { NotFound, PermissionDenied } from "../../http/errors";
import type { CallerDeps } from "../../lib/deps";
import type { AdminUserRow, FollowCursor, FollowDirection, FollowEntry } from "../../store";

export interface UsersQuery {
  page: number | "last";
  size: number;
  search?: string;
}

/** One page of every user, for staff. Page "last" needs the total before the rows; any numbered page is one round trip. */
export async function listUsers({ caller }: CallerDeps, query: UsersQuery): Promise<{ page: number; count: number; rows: AdminUserRow[] }> {
  const load = (page: number) => caller.users.page(query.search, (page - 1) * query.size, query.size);
  let { caller: me, count, rows } = await load(query.page === "last" ? 1 : query.page);
  if (!me.isStaff) throw new PermissionDenied();
  const page = query.page === "last" ? Math.max(1, Math.ceil(count / query.size)) : query.page;
  if (query.page === "last" && page !== 1) ({ rows } = await load(page));
  return { page, count, rows };
}

/** One user as the caller sees them; `asAdmin` when the caller is staff (who get the admin shape). */
export async function seeUser({ caller }: CallerDeps, { id }: { id: number }) {
  const { caller: me, user, isFollowing } = await caller.users.seen(id);
  if (!user) throw new NotFound();
  return { user, isFollowing, asAdmin: me.isStaff };
}

export interface FollowListQuery {
  ownerId: number;
  direction: FollowDirection;
  cursor: FollowCursor | undefined;
  size: number;
}

/** `size + 1` entries in the cursor's direction (see `cursorPage`). */
export async function listFollows({ caller }: CallerDeps, query: FollowListQuery): Promise<FollowEntry[]> {
  const { ownerExists, entries } = await caller.follows.page(query.ownerId, query.direction, query.cursor, query.size);
  if (!ownerExists) throw new NotFound();
  return entries;
}
