/** Profile reads and text-field updates of the caller. */
import { requireActiveUser } from "../../auth/bearer";
import type { Database } from "../../db/client";
import type { UserRow } from "../../db/schema";
import { type ProfileChanges, findUser, loadProfileUpdate, updateProfile } from "../../db/users";
import { UserNotFound, ValidationFailed } from "../../http/errors";
import { takenErrors } from "../registration/registration.service";
import type { ProfileBody } from "./profile.schemas";

export async function readProfile(db: Database, userId: number): Promise<UserRow> {
  return requireActiveUser(await findUser(db, userId));
}

function changesFrom(body: ProfileBody): ProfileChanges {
  const changes: ProfileChanges = {
    username: body.username,
    email: body.email,
    firstName: body.first_name,
    lastName: body.last_name,
    bio: body.bio,
  };
  return Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined));
}

export async function changeProfile(db: Database, userId: number, body: ProfileBody): Promise<UserRow> {
  const changes = changesFrom(body);
  const { caller, taken } = await loadProfileUpdate(db, userId, changes);
  const user = requireActiveUser(caller);
  if (taken.size > 0) throw new ValidationFailed(takenErrors(taken));
  if (Object.keys(changes).length === 0) return user;
  const result = await updateProfile(db, userId, changes);
  if ("taken" in result) throw new ValidationFailed(takenErrors([result.taken]));
  // Deactivated or deleted between the two statements.
  if ("missing" in result) throw new UserNotFound();
  return result.user;
}
