/**
 * Admin user management: PATCH (is_active by any admin, is_staff by superusers) and DELETE
 * (superusers) of another user. Deactivating or deleting ends every session of that user at once.
 */
import { deleteUserStatements } from "../../db/account-deletion";
import type { UserRow } from "../../db/schema";
import { revokeAllFamiliesOf } from "../../db/token-families";
import { adminUserUpdate } from "../../db/users";
import { BadRequest, NotFound, PermissionDenied } from "../../http/errors";
import type { CallerDeps } from "../../lib/deps";
import { deletePicture } from "../media/picture-store";
import { forgetFamilies } from "../tokens/tokens.service";
import type { AdminUserChange } from "./users.schemas";

const NOT_YOURSELF = "You cannot change your own account here.";

/** Who may do what, checked before any write (the caller is read, with the guard, first). */
async function authorize(deps: CallerDeps, targetId: number, need: "staff" | "superuser"): Promise<void> {
  const caller = await deps.caller.check();
  if (!caller.isStaff || (need === "superuser" && !caller.isSuperuser)) throw new PermissionDenied();
  if (targetId === caller.id) throw new BadRequest(NOT_YOURSELF);
}

export async function changeUser(deps: CallerDeps, { id, changes }: { id: number; changes: AdminUserChange }): Promise<UserRow> {
  await authorize(deps, id, changes.is_staff === undefined ? "staff" : "superuser");
  const { caller, db } = deps;
  const ending = changes.is_active === false;
  const { results } = await caller.batch([
    adminUserUpdate(db, id, { isActive: changes.is_active, isStaff: changes.is_staff }),
    // Deactivation ends every session in the same transaction (no revocation when nothing changes hands).
    ...(ending ? [revokeAllFamiliesOf(db, id)] : []),
  ]);
  const [[user], revoked] = results as [UserRow[], { id: string; expiresAt: Date }[] | undefined];
  if (!user) throw new NotFound();
  forgetFamilies(deps, revoked ?? []);
  return user;
}

export async function deleteUser(deps: CallerDeps, { id }: { id: number }): Promise<void> {
  await authorize(deps, id, "superuser");
  const { results } = await deps.caller.batch(deleteUserStatements(deps.db, id));
  const [, , , , sessions, [deleted]] = results;
  if (!deleted) throw new NotFound();
  forgetFamilies(deps, sessions);
  if (deleted.profilePicture) await deletePicture(deps.bucket, deleted.profilePicture);
}
