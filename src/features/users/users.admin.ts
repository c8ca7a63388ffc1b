/**
 * Admin user management: PATCH (is_active by any admin, but that of staff and superusers by
 * superusers only; is_staff and turning two-factor off by superusers) and DELETE (superusers) of
 * another user. Deactivating or deleting ends every session of that user at once.
 */
import { publishEnded } from "../../auth/revocations";
import { BadRequest, NotFound, PermissionDenied } from "../../http/errors";
import type { CallerDeps } from "../../lib/deps";
import { deletePicture } from "../../pictures/picture-store";
import type { AdminRole, AdminUserRow, Caller } from "../../store";
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
 * One write: the update and (on deactivation) the end of every session are conditioned on the
 * caller's role in SQL, and a change of is_active on the target's role too (staff may change it
 * only of users who are neither staff nor superuser), so a refused caller's write changes nothing
 * and needs no read before it.
 */
export async function changeUser(deps: CallerDeps, { id, changes }: { id: number; changes: AdminUserChange }): Promise<AdminUserRow> {
  const need: AdminRole = changes.is_staff === undefined && changes.mfa_enabled === undefined ? "staff" : "superuser";
  // Yourself: 403 unless an admin, then 400 (the rare case reads the caller first).
  if (id === deps.caller.identity.id) await authorize(deps, id, need);
  const mfaEnabled = changes.mfa_enabled === false ? false : undefined;
  const { caller, user, exists, ended } = await deps.caller.admin.changeUser(id, { isActive: changes.is_active, isStaff: changes.is_staff, mfaEnabled }, need, Date.now());
  if (!holds(caller, need)) throw new PermissionDenied();
  if (!exists) throw new NotFound();
  // The caller holds the role the change needs, so the target's role refused it: staff changing an admin's is_active.
  if (!user) throw new PermissionDenied();
  publishEnded(deps, ended);
  return user;
}

/** One write, like `changeUser`: every statement of the deletion is conditioned on the caller being a superuser. */
export async function deleteUser(deps: CallerDeps, { id }: { id: number }): Promise<void> {
  if (id === deps.caller.identity.id) await authorize(deps, id, "superuser");
  const { caller, deleted, ended } = await deps.caller.admin.deleteUser(id, Date.now());
  if (!holds(caller, "superuser")) throw new PermissionDenied();
  if (!deleted) throw new NotFound();
  publishEnded(deps, ended);
  if (deleted.profilePicture) await deletePicture(deps.bucket, deleted.profilePicture);
}
