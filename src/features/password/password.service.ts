/** Password change: the old password is checked first (as DRF's field validation), then the new one. */
import { checkCurrentPassword } from "../../auth/current-password";
import { hashPassword } from "../../auth/passwords/hashers";
import { passwordProblems } from "../../auth/passwords/validators";
import { publishEnded } from "../../auth/revocations";
import { type FieldErrors, ValidationFailed } from "../../http/errors";
import type { CallerDeps } from "../../lib/deps";
import type { PasswordChangeBody } from "./password.schemas";

const WRONG_OLD_PASSWORD = { old_password: ["Your old password was entered incorrectly. Please enter it again."] };

export async function changeOwnPassword(deps: CallerDeps, body: PasswordChangeBody): Promise<void> {
  const user = await checkCurrentPassword(deps, body.old_password, WRONG_OLD_PASSWORD);

  const errors: FieldErrors = {};
  if (body.new_password !== body.new_password2) errors.new_password2 = ["The two password fields didn't match."];
  const problems = await passwordProblems(body.new_password, {
    username: user.username,
    first_name: user.firstName,
    last_name: user.lastName,
    email: user.email,
  });
  if (problems.length > 0) errors.new_password = problems;
  if (Object.keys(errors).length > 0) throw new ValidationFailed(errors);

  // The hash is swapped only if it is still the one checked above, and every session ends with it.
  const { changed, ended } = await deps.caller.changePassword({ expected: user.password, next: hashPassword(body.new_password) }, Date.now());
  publishEnded(deps, ended);
  // Another change won the race: our old password is stale.
  if (!changed) throw new ValidationFailed(WRONG_OLD_PASSWORD);
}
