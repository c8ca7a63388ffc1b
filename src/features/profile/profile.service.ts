/**
 * Profile reads and updates of the caller. A new picture is written to R2 before the row and
 * deleted again if the row is not updated; the replaced picture is deleted only once the row
 * no longer names it. So a failed update leaves neither a new object nor a changed row. An email
 * change is checked (its password, its mail limits) before the picture is stored and the row
 * written: see ./email-change.ts.
 */
import type { BatchItem } from "drizzle-orm/batch";
import type { UserRow } from "../../db/schema";
import { type ProfileChanges, profileUpdate, takenFields, uniqueHolders } from "../../db/users";
import { orTakenField } from "../../db/unique-violation";
import { ValidationFailed } from "../../http/errors";
import type { CallerDeps } from "../../lib/deps";
import { deletePicture, storePicture } from "../media/picture-store";
import { takenErrors } from "../users/taken-errors";
import { admitEmailChange, emailChangeReservations, emailChangeWrites, releaseReservations } from "./email-change";
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
  const { caller, db, bucket } = deps;
  const now = Date.now();
  const changes = textChanges(body);
  const unique = { username: body.username, email: body.email };
  const { caller: user, results: [holders, ...reserved] } = await caller.batch([
    uniqueHolders(db, unique, caller.id),
    ...emailChangeReservations(deps, body, now),
  ] as unknown as [ReturnType<typeof uniqueHolders>]);
  const taken = takenFields(holders, unique);
  if (taken.size > 0) {
    releaseReservations(deps, reserved);
    throw new ValidationFailed(takenErrors(taken));
  }
  const change = await admitEmailChange(deps, user, body, reserved, now);
  const writes = change ? emailChangeWrites(deps, user, change, changes, address, now) : undefined;
  if (!change && body.email !== undefined) keepAddress(deps, user, body.email, changes);

  const newKey = body.profile_picture ? await storePicture(bucket, body.profile_picture) : undefined;
  if (body.profile_picture !== undefined) changes.profilePicture = newKey ?? null;
  if (Object.keys(changes).length === 0) return user;

  let result: Awaited<ReturnType<typeof updateRow>>;
  try {
    result = await updateRow(caller, changes, writes?.statements ?? []);
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
  const previous = result.before.profilePicture;
  if (changes.profilePicture !== undefined && previous && previous !== changes.profilePicture) {
    await deletePicture(bucket, previous);
  }
  writes?.done(result.user, result.alongside, result.before);
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

/**
 * Updates the caller's row, after `alongside` in the same batch; reports the row just before
 * (same transaction) and the results of `alongside`. A lost uniqueness race is returned.
 */
function updateRow(caller: CallerDeps["caller"], changes: ProfileChanges, alongside: BatchItem<"sqlite">[]) {
  return orTakenField(async () => {
    // The guard reads the caller's row before the update, in the same transaction.
    const { caller: before, results } = await caller.batch([...alongside, profileUpdate(caller.db, caller.id, changes)] as unknown as [
      ReturnType<typeof profileUpdate>,
    ]);
    const all = results as unknown as unknown[];
    const [row] = all.at(-1) as UserRow[];
    return { user: row!, before, alongside: all.slice(0, -1) };
  });
}
