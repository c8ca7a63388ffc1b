/** Password change: the old password is checked first (as DRF's field validation), then the new one. */
import { requireActiveUser } from "../../auth/bearer";
import { hashPassword, verifyPassword } from "../../auth/passwords/hashers";
import { passwordProblems } from "../../auth/passwords/validators";
import { findUser, changePassword } from "../../db/users";
import { type FieldErrors, ValidationFailed } from "../../http/errors";
import { type SessionContext, forgetFamilies } from "../session/session.service";
import type { PasswordChangeBody } from "./password.schemas";

export async function changeOwnPassword(context: SessionContext, userId: number, body: PasswordChangeBody): Promise<void> {
  const user = requireActiveUser(await findUser(context.db, userId));
  const check = await verifyPassword(body.old_password, user.password);
  if (!check.valid) {
    throw new ValidationFailed({ old_password: ["Your old password was entered incorrectly. Please enter it again."] });
  }

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

  const { changed, revoked } = await changePassword(context.db, userId, user.password, hashPassword(body.new_password));
  forgetFamilies(context, revoked);
  // Another change won the race (or the user was deactivated meanwhile): our old password is stale.
  if (!changed) throw new ValidationFailed({ old_password: ["Your old password was entered incorrectly. Please enter it again."] });
}
