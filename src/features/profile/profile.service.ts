/**
 * Profile reads and updates of the caller. A new picture is written to R2 before the row and
 * deleted again if the row is not updated; the replaced picture is deleted only once the row
 * no longer names it. So a failed update leaves neither a new object nor a changed row.
 */
import type { UserRow } from "../../db/schema";
import { type ProfileChanges, profileUpdate, takenFields, uniqueHolders } from "../../db/users";
import { orTakenField } from "../../db/unique-violation";
import { ValidationFailed } from "../../http/errors";
import type { CallerDeps } from "../../lib/deps";
import { deletePicture, storePicture } from "../media/picture-store";
import { emailChangeNotice } from "../../mail/messages";
import { sendVerification } from "../registration/email-verification.service";
import { takenErrors } from "../users/taken-errors";
import type { ProfileBody } from "./profile.schemas";

/** The caller's row: the guard reads it, so a profile read is that one statement. */
export function readProfile({ caller }: CallerDeps): Promise<UserRow> {
  return caller.check();
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

export async function changeProfile(deps: CallerDeps, body: ProfileBody): Promise<UserRow> {
  const { caller, db, bucket } = deps;
  const changes = textChanges(body);
  const { caller: user, results: [holders] } = await caller.batch([uniqueHolders(db, changes, caller.id)]);
  const taken = takenFields(holders, changes);
  if (taken.size > 0) throw new ValidationFailed(takenErrors(taken));
  const newAddress = holdUntilConfirmed(deps, user, changes);

  const newKey = body.profile_picture ? await storePicture(bucket, body.profile_picture) : undefined;
  if (body.profile_picture !== undefined) changes.profilePicture = newKey ?? null;
  if (Object.keys(changes).length === 0) return user;

  let result: Awaited<ReturnType<typeof updateRow>>;
  try {
    result = await updateRow(caller, changes);
  } catch (error) {
    // Refused (the caller was deactivated meanwhile) or failed: the new object is not kept.
    if (newKey) await deletePicture(bucket, newKey);
    throw error;
  }
  if ("taken" in result) {
    if (newKey) await deletePicture(bucket, newKey);
    throw new ValidationFailed(takenErrors([result.taken]));
  }
  const previous = result.previousPicture;
  if (changes.profilePicture !== undefined && previous && previous !== changes.profilePicture) {
    await deletePicture(bucket, previous);
  }
  if (newAddress) {
    sendVerification(deps, { id: user.id, username: result.user.username, email: newAddress });
    if (user.email) deps.mail.send(emailChangeNotice(user.email, result.user.username, newAddress));
  }
  return result.user;
}

/**
 * With email verification on, a new address is not used until it is confirmed: it is kept as
 * `pendingEmail` (the email stays) and returned so the caller mails it a key. Asking for the
 * current address again drops a pending one.
 */
function holdUntilConfirmed(deps: CallerDeps, user: UserRow, changes: ProfileChanges): string | undefined {
  if (deps.config.emailVerification === "none" || changes.email === undefined) return undefined;
  const wanted = changes.email;
  delete changes.email;
  if (wanted.toLowerCase() === user.email.toLowerCase()) {
    if (user.pendingEmail !== null) changes.pendingEmail = null;
    return undefined;
  }
  changes.pendingEmail = wanted;
  return wanted;
}

/** Updates the caller's row; reports the picture key it held just before (same transaction). A lost uniqueness race is returned. */
function updateRow(caller: CallerDeps["caller"], changes: ProfileChanges) {
  return orTakenField(async () => {
    // The guard reads the caller's row before the update, in the same transaction.
    const { caller: before, results: [[row]] } = await caller.batch([profileUpdate(caller.db, caller.id, changes)]);
    return { user: row!, previousPicture: before.profilePicture };
  });
}
