/** DELETE /api/auth/profile/: the caller deletes their account, proven by their password. */
import { checkCurrentPassword } from "../../auth/current-password";
import { deleteUserStatements } from "../../db/account-deletion";
import type { CallerDeps } from "../../lib/deps";
import { deletePicture } from "../media/picture-store";
import { forgetFamilies } from "../tokens/tokens.service";

export async function deleteOwnAccount(deps: CallerDeps, { password }: { password: string }): Promise<void> {
  const { caller, db } = deps;
  await checkCurrentPassword(deps, password, { password: ["The password is incorrect."] });
  const { results } = await caller.batch(deleteUserStatements(db, caller.id));
  const [, , , , sessions, [deleted]] = results;
  forgetFamilies(deps, sessions);
  if (deleted?.profilePicture) await deletePicture(deps.bucket, deleted.profilePicture);
}
