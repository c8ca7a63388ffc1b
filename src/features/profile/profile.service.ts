/**
 * Profile reads and updates of the caller. A new picture is written to R2 before the row and
 * deleted again if the row is not updated; the replaced picture is deleted only once the row
 * no longer names it. So a failed update leaves neither a new object nor a changed row. An email
 * change is checked (its password, its mail limits) before the picture is stored and the row
 * written: see ./email-change.ts.
 */
import { ValidationFailed } from "../../http/errors";
import { takenErrors } from "../../http/taken-errors";
import type { CallerDeps } from "../../lib/deps";
import { deletePicture, storePicture } from "../../pictures/picture-store";
import type { ProfileChanges, UserRow } from "../../store";
import { admitEmailChange, emailChangeAsk, emailChangeWrites, releaseReservations } from "./email-change";
import type { ProfileBody } from "./profile.schemas";

/** The caller's row: the guard reads it, so a profile read is that one statement. */
export function readProfile({ caller }: CallerDeps): Promise<UserRow> {
  return caller.check();
}

function textChanges(body: ProfileBody): ProfileChanges {
  const changes: ProfileChanges = {
    username: body.username,
    firstName: body.first_name,
    lastName: body.last_name,
    bio: body.bio,
  };
  return Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined));
}

/** `address`: the client's (mail limits: an address known to the account is not held back by its recipient's limit). */
export async function changeProfile(deps: CallerDeps, body: ProfileBody, { address }: { address: string }): Promise<UserRow> {
  const { caller, bucket } = deps;
  const now = Date.now();
  const changes = textChanges(body);
  const { caller: user, taken, ...reserved } = await caller.profile.prepare({ username: body.username, email: body.email }, emailChangeAsk(deps, body), now);
  if (taken.size > 0) {
    releaseReservations(deps, reserved);
    throw new ValidationFailed(takenErrors(taken));
  }
  const change = await admitEmailChange(deps, user, body, reserved, now);
  const writes = change ? emailChangeWrites(deps, user, change, changes, address) : undefined;
  if (!change && body.email !== undefined) keepAddress(deps, user, body.email, changes);

  const newKey = body.profile_picture ? await storePicture(bucket, body.profile_picture) : undefined;
  if (body.profile_picture !== undefined) changes.profilePicture = newKey ?? null;
  if (Object.keys(changes).length === 0) return user;

  let result: Awaited<ReturnType<typeof caller.profile.update>>;
  try {
    result = await caller.profile.update(changes, writes?.effects ?? {}, now);
  } catch (error) {
    // Refused (the caller was deactivated meanwhile) or failed: the new object is not kept.
    if (newKey) await deletePicture(bucket, newKey);
    writes?.failed();
    throw error;
  }
  if ("taken" in result) {
    if (newKey) await deletePicture(bucket, newKey);
    writes?.failed();
    throw new ValidationFailed(takenErrors([result.taken]));
  }
  // `caller` is the row just before the update, in its transaction.
  const previous = result.caller.profilePicture;
  if (changes.profilePicture !== undefined && previous && previous !== changes.profilePicture) {
    await deletePicture(bucket, previous);
  }
  writes?.done({ before: result.caller, after: result.user, ended: result.ended, mailGoes: result.mailGoes });
  return result.user;
}

/**
 * The body names the current address (in any letter case), which needs no password: with `none`
 * it is stored as written, as before; with verification on, asking for it drops a pending address.
 */
function keepAddress(deps: CallerDeps, user: UserRow, email: string, changes: ProfileChanges): void {
  if (deps.config.emailVerification === "none") changes.email = email;
  else if (user.pendingEmail !== null) changes.pendingEmail = null;
}
