/** The users routes' work: the admin list, one user as the caller sees them, and follow lists. */
import { type FollowCursor, type FollowDirection, followPageStatements } from "../../db/follows";
import type { UserRow } from "../../db/schema";
import { userSeenBy, usersPage } from "../../db/users";
import { NotFound, PermissionDenied } from "../../http/errors";
import type { CallerDeps } from "../../lib/deps";

export interface UsersQuery {
  page: number | "last";
  size: number;
  search?: string;
}

/** One page of every user, for staff. Page "last" needs the total before the rows; any numbered page is one round trip. */
export async function listUsers({ caller, db }: CallerDeps, query: UsersQuery): Promise<{ page: number; count: number; rows: UserRow[] }> {
  const load = (page: number) => caller.batch(usersPage(db, caller.id, query.search, (page - 1) * query.size, query.size));
  let { caller: me, results: [[total], rows] } = await load(query.page === "last" ? 1 : query.page);
  if (!me.isStaff) throw new PermissionDenied();
  const count = total?.count ?? 0;
  const page = query.page === "last" ? Math.max(1, Math.ceil(count / query.size)) : query.page;
  if (query.page === "last" && page !== 1) ({ results: [, rows] } = await load(page));
  return { page, count, rows };
}

/** One user as the caller sees them; `asAdmin` when the caller is staff (who get the admin shape). */
export async function seeUser({ caller, db }: CallerDeps, { id }: { id: number }) {
  const { caller: me, results: [[target]] } = await caller.batch([userSeenBy(db, caller.id, id)]);
  if (!target) throw new NotFound();
  return { user: target.user, isFollowing: Boolean(target.isFollowing), asAdmin: me.isStaff };
}

export interface FollowListQuery {
  ownerId: number;
  direction: FollowDirection;
  cursor: FollowCursor | undefined;
  size: number;
}

/** `size + 1` rows in the cursor's direction (see `cursorPage`). */
export async function listFollows({ caller, db }: CallerDeps, query: FollowListQuery) {
  const { results: [[owner], rows] } = await caller.batch(
    followPageStatements(db, caller.id, query.ownerId, query.direction, query.cursor, query.size),
  );
  if (!owner) throw new NotFound();
  return rows;
}
