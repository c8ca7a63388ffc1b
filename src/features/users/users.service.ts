/** The users routes: the admin list, one public user, and follow lists. */
import { requireActiveUser } from "../../auth/bearer";
import type { Database } from "../../db/client";
import { type FollowDirection, followPage } from "../../db/follows";
import { findUserSeenBy, listUsersPage } from "../../db/users";
import { NotFound, PermissionDenied } from "../../http/errors";
import { type Cursor, cursorPage, numberedPage, resolvePage } from "../../http/pagination";
import { adminUserOf, publicUserOf } from "./users.representations";

export interface AdminListQuery {
  page: number | "last";
  size: number;
  search?: string;
}

export async function adminList(db: Database, callerId: number, url: URL, query: AdminListQuery) {
  const load = (page: number) => listUsersPage(db, callerId, query.search, (page - 1) * query.size, query.size);
  // Page "last" needs the total before the rows; any numbered page is one round trip.
  let result = await load(query.page === "last" ? 1 : query.page);
  const caller = requireActiveUser(result.caller);
  if (!caller.isStaff) throw new PermissionDenied();
  const page = resolvePage(query.page, query.size, result.count);
  if (query.page === "last" && page !== 1) result = await load(page);
  return numberedPage(url, page, query.size, result.count, result.rows.map((row) => adminUserOf(row, url.origin)));
}

export async function publicUser(db: Database, callerId: number, id: number, origin: string) {
  const { caller, target } = await findUserSeenBy(db, callerId, id);
  requireActiveUser(caller);
  if (!target) throw new NotFound();
  return publicUserOf(target.user, Boolean(target.isFollowing), origin);
}

export async function followList(
  db: Database,
  callerId: number,
  ownerId: number,
  direction: FollowDirection,
  url: URL,
  cursor: Cursor | undefined,
  size: number,
) {
  const page = await followPage(db, callerId, ownerId, direction, cursor, size);
  requireActiveUser(page.caller);
  if (!page.ownerExists) throw new NotFound();
  return cursorPage(url, cursor, page.rows, size, (row) => publicUserOf(row.user, Boolean(row.isFollowing), url.origin));
}
