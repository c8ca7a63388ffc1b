/**
 * Admin user management: PATCH (is_active by any admin, but that of staff and superusers by
 * superusers only; is_staff by superusers) and DELETE (superusers) of another user. Deactivating
 * or deleting ends every session of that user at once.
 */
import { deleteUserStatements } from "../../db/account-deletion";
import type { UserRow } from "../../db/schema";
import { revokeAllFamiliesOf } from "../../db/token-families";
import { adminUserUpdate, knownUser } from "../../db/users";
import { BadRequest, NotFound, PermissionDenied } from "../../http/errors";
import type { Caller } from "../../auth/caller-scope";
import { type AdminRole, callerHasRole, callerMayChangeStatusOf } from "../../db/caller";
import type { CallerDeps } from "../../lib/deps";
import { deletePicture } from "../media/picture-store";
import { forgetFamilies } from "../tokens/tokens.service";
import type { AdminUserChange } from "./users.schemas";

const NOT_YOURSELF = "You cannot change your own account here.";

/** Who may do what, read before any write: only for changes of yourself, a rare case (403 unless an admin, then 400). */
async function authorize(deps: CallerDeps, targetId: number, need: AdminRole): Promise<void> {
  const caller = await deps.caller.check();
  if (!holds(caller, need)) throw new PermissionDenied();
  if (targetId === caller.id) throw new BadRequest(NOT_YOURSELF);
}

const holds = (caller: Caller, role: AdminRole) => caller.isStaff && (role === "staff" || caller.isSuperuser);

/**
 * One batch: the update and (on deactivation) the end of every session are conditioned on the
 * caller's role in SQL, and a change of is_active on the target's role too (staff may change it
 * only of users who are neither staff nor superuser), so a refused caller's batch changes nothing
 * and needs no read before it.
 */
export async function changeUser(deps: CallerDeps, { id, changes }: { id: number; changes: AdminUserChange }): Promise<UserRow> {
  const need: AdminRole = changes.is_staff === undefined ? "staff" : "superuser";
  // Yourself: 403 unless an admin, then 400 (the rare case reads the caller first).
  if (id === deps.caller.id) await authorize(deps, id, need);
  const { caller, db } = deps;
  const permitted = changes.is_active === undefined || need === "superuser"
    ? callerHasRole(db, caller.id, need)
    : callerMayChangeStatusOf(db, caller.id, id);
  const ending = changes.is_active === false;
  const { caller: who, results } = await caller.batch([
    knownUser(db, id),
    adminUserUpdate(db, id, { isActive: changes.is_active, isStaff: changes.is_staff }, permitted),
    // Deactivation ends every session in the same transaction (no revocation when nothing changes hands).
    ...(ending ? [revokeAllFamiliesOf(db, id, permitted)] : []),
  ]);
  if (!holds(who, need)) throw new PermissionDenied();
  const [[target], [user], revoked] = results as [{ id: number }[], UserRow[], { id: string; expiresAt: Date }[] | undefined];
  if (!target) throw new NotFound();
  // The caller holds the role the change needs, so the target's role refused it: staff changing an admin's is_active.
  if (!user) throw new PermissionDenied();
  forgetFamilies(deps, revoked ?? []);
  return user;
}

/** One batch, like `changeUser`: every statement of the deletion is conditioned on the caller being a superuser. */
export async function deleteUser(deps: CallerDeps, { id }: { id: number }): Promise<void> {
  if (id === deps.caller.id) await authorize(deps, id, "superuser");
  const permitted = callerHasRole(deps.db, deps.caller.id, "superuser");
  const { caller, results } = await deps.caller.batch(deleteUserStatements(deps.db, id, permitted));
  if (!holds(caller, "superuser")) throw new PermissionDenied();
  const [, , , , sessions, [deleted]] = results;
  if (!deleted) throw new NotFound();
  forgetFamilies(deps, sessions);
  if (deleted.profilePicture) await deletePicture(deps.bucket, deleted.profilePicture);
}
