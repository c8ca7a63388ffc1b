/**
 * Profile reads and updates of the caller. A new picture is written to R2 before the row and
 * deleted again if the row is not updated; the replaced picture is deleted only once the row
 * no longer names it. So a failed update leaves neither a new object nor a changed row.
 */
import { requireActiveUser } from "../../auth/bearer";
import type { Database } from "../../db/client";
import type { UserRow } from "../../db/schema";
import { type ProfileChanges, findUser, loadProfileUpdate, updateProfile } from "../../db/users";
import { UserNotFound, ValidationFailed } from "../../http/errors";
import { deletePicture, storePicture } from "../media/picture-store";
import { takenErrors } from "../users/taken-errors";
import type { ProfileBody } from "./profile.schemas";

export interface ProfileStores {
  db: Database;
  bucket: R2Bucket;
}

export async function readProfile(db: Database, userId: number): Promise<UserRow> {
  return requireActiveUser(await findUser(db, userId));
}

function textChanges(body: ProfileBody): ProfileChanges {
  const changes: ProfileChanges = {
    username: body.username,
    email: body.email,
    firstName: body.first_name,
    lastName: body.last_name,
    bio: body.bio,
  };
  return Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined));
}

export async function changeProfile({ db, bucket }: ProfileStores, userId: number, body: ProfileBody): Promise<UserRow> {
  const changes = textChanges(body);
  const { caller, taken } = await loadProfileUpdate(db, userId, changes);
  const user = requireActiveUser(caller);
  if (taken.size > 0) throw new ValidationFailed(takenErrors(taken));

  const newKey = body.profile_picture ? await storePicture(bucket, body.profile_picture) : undefined;
  if (body.profile_picture !== undefined) changes.profilePicture = newKey ?? null;
  if (Object.keys(changes).length === 0) return user;

  let result: Awaited<ReturnType<typeof updateProfile>>;
  try {
    result = await updateProfile(db, userId, changes);
  } catch (error) {
    if (newKey) await deletePicture(bucket, newKey);
    throw error;
  }
  if (!("user" in result)) {
    if (newKey) await deletePicture(bucket, newKey);
    if ("taken" in result) throw new ValidationFailed(takenErrors([result.taken]));
    // Deactivated or deleted between the two statements.
    throw new UserNotFound();
  }
  const previous = result.previousPicture;
  if (changes.profilePicture !== undefined && previous && previous !== changes.profilePicture) {
    await deletePicture(bucket, previous);
  }
  return result.user;
}
