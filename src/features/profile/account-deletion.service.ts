/** DELETE /api/auth/profile/: the caller deletes their account, proven by their password. */
import { checkCurrentPassword } from "../../auth/current-password";
import { publishEnded } from "../../auth/revocations";
import type { CallerDeps } from "../../lib/deps";
import { deletePicture } from "../../pictures/picture-store";

export async function deleteOwnAccount(deps: CallerDeps, { password }: { password: string }): Promise<void> {
  await checkCurrentPassword(deps, password, { password: ["The password is incorrect."] });
  const { deleted, ended } = await deps.caller.deleteAccount(Date.now());
  publishEnded(deps, ended);
  if (deleted?.profilePicture) await deletePicture(deps.bucket, deleted.profilePicture);
}
