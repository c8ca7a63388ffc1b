/**
 * Decides what to import, for either engine: users keep their Django ids and hashes; anything
 * that would collide with a different existing user is skipped with the reason; re-running
 * finds its own earlier work and skips it; follow counters are recomputed from the rows. The
 * rows come out in the D1 schema's representation (times in milliseconds); each engine writes
 * them its own way (scripts/django/d1.ts, scripts/django/postgres.ts), inserting with "on
 * conflict do nothing" (a row that appeared since we looked is kept, never overwritten) and
 * then running RECOUNT_FOLLOWS. The course's posts, comments, likes and notifications are planned
 * by ./social-plan.ts for the users imported (now or before).
 */
import { isSupportedHash } from "../../src/auth/passwords/hashers";
import { isServableKey } from "../../src/pictures/picture-store";
import { usernameField } from "../../src/http/fields";
import type { DjangoData, DjangoUser } from "./read";
import { type ExistingSocial, type Row, type SocialPlan, noSocial, planSocial } from "./social-plan";

/** Text from the database, shown safely in a terminal: quoted, control characters escaped. */
export const shown = (text: string) => JSON.stringify(text);

/** A word for the shell, single-quoted: nothing in it is expanded or run. */
export const shellQuote = (text: string) => `'${text.replaceAll("'", `'\\''`)}'`;

/** A hash's algorithm, for the report; never the hash itself (an unsalted MD5 has no `$`, and is all secret). */
function algorithmOf(hash: string): string {
  const name = hash.includes("$") ? hash.slice(0, hash.indexOf("$")) : "";
  return /^[a-z0-9_]{1,32}$/.test(name) ? `"${name}"` : "in an unrecognised format";
}

export interface ExistingUser {
  id: number;
  username: string;
  email: string;
}

export type { Row };

/** What the database holds already: its users, and its posts and comments in the Django rows' id ranges. */
export interface Existing {
  users: ExistingUser[];
  social: ExistingSocial;
}

/** Both engines' SQL: the counters, from the rows. */
export const RECOUNT_FOLLOWS =
  "UPDATE users SET followers_count = (SELECT count(*) FROM follows WHERE followee_id = users.id), following_count = (SELECT count(*) FROM follows WHERE follower_id = users.id)";

export interface ImportPlan {
  /** Users to insert (columns of the users table). */
  userRows: Row[];
  /** Follows to insert (follower_id, followee_id, created_at). */
  followRows: Row[];
  imported: DjangoUser[];
  alreadyThere: DjangoUser[];
  skipped: { user: DjangoUser; reason: string }[];
  follows: number;
  skippedFollows: { follower: number; followee: number; reason: string }[];
  warnings: string[];
  /** Whether the file had any of the social tables (else nothing of them is written or reported). */
  hasSocial: boolean;
  social: SocialPlan;
  /** Plans the social rows again for these users and follows (an engine withdrew users). */
  socialFor(present: Set<number>, follows: Set<string>): SocialPlan;
}

const lower = (text: string) => text.toLowerCase();

/** The follows of `rows` as `<follower>:<followee>`. */
const followSet = (rows: Row[]) => new Set(rows.map((row) => `${row.follower_id}:${row.followee_id}`));

/** The users the plan leaves in the database: imported now or before. */
const presentIds = (plan: ImportPlan) => new Set([...plan.imported, ...plan.alreadyThere].map((user) => user.id));

export function planImport(data: DjangoData, existing: Existing): ImportPlan {
  const byId = new Map(existing.users.map((user) => [user.id, user]));
  const usernames = new Map(existing.users.map((user) => [lower(user.username), user.username]));
  const emails = new Map(existing.users.filter((user) => user.email).map((user) => [lower(user.email), user.username]));
  const socialFor = (present: Set<number>, follows: Set<string>) => planSocial(data.social, present, follows, existing.social);
  const hasSocial = Object.keys(data.social.tables).length > 0;
  const plan: ImportPlan = {
    userRows: [], followRows: [], imported: [], alreadyThere: [], skipped: [], follows: 0, skippedFollows: [], warnings: [],
    hasSocial, social: noSocial(), socialFor,
  };

  for (const original of data.users) {
    // Usernames are NFKC-normalised and checked as registration checks them; a user whose name
    // fails is not imported at all (nor their follows), and is reported.
    const checked = usernameField().safeParse(original.username);
    if (!checked.success) {
      plan.skipped.push({ user: original, reason: `username is not valid here (${checked.error.issues.map((issue) => issue.message).join(" ")})` });
      continue;
    }
    const user = { ...original, username: checked.data };
    const holder = byId.get(user.id);
    if (holder && lower(holder.username) === lower(user.username)) {
      plan.alreadyThere.push(user);
      continue;
    }
    const reason = holder
      ? `id ${user.id} belongs to another user here (${holder.username})`
      : usernames.has(lower(user.username))
        ? `username taken here, ignoring letter case (by ${usernames.get(lower(user.username))})`
        : user.email && emails.has(lower(user.email))
          ? `email ${shown(user.email)} taken here, ignoring letter case (by ${emails.get(lower(user.email))})`
          : undefined;
    if (reason) {
      plan.skipped.push({ user, reason });
      continue;
    }
    usernames.set(lower(user.username), user.username);
    if (user.email) emails.set(lower(user.email), user.username);
    plan.imported.push(user);
    if (!isSupportedHash(user.password)) {
      plan.warnings.push(`${user.username}: password hash ${algorithmOf(user.password)} cannot be verified here; the user must be given a new password`);
    }
    if (user.profilePicture && !isServableKey(user.profilePicture)) {
      plan.warnings.push(`${user.username}: profile picture ${shown(user.profilePicture)} is not a key this service serves (profile_pics/<name>); not imported`);
      user.profilePicture = null;
    }
    if (user.profilePicture) {
      const command = `npx wrangler r2 object put ${shellQuote(`social-media-api-media/${user.profilePicture}`)} --file "$MEDIA_ROOT"/${shellQuote(user.profilePicture)}`;
      plan.warnings.push(`${user.username}: profile picture ${user.profilePicture} is not copied; with MEDIA_ROOT set to Django's media folder, upload it with: ${command}`);
    }
    plan.userRows.push({
      id: user.id,
      password: user.password,
      last_login: user.lastLogin,
      is_superuser: user.isSuperuser,
      // Imported users count as verified (the contract): Django had their address already.
      email_verified: true,
      username: user.username,
      first_name: user.firstName,
      last_name: user.lastName,
      email: user.email,
      is_staff: user.isStaff,
      is_active: user.isActive,
      date_joined: user.dateJoined,
      bio: user.bio,
      profile_picture: user.profilePicture,
    });
  }

  const present = presentIds(plan);
  // Usernames may have changed by normalisation: the report shows what was written.
  const now = Date.now();
  for (const follow of data.follows) {
    const reason =
      follow.followerId === follow.followeeId
        ? "a user following themselves"
        : !present.has(follow.followerId) || !present.has(follow.followeeId)
          ? "one of the two users was not imported"
          : undefined;
    if (reason) {
      plan.skippedFollows.push({ follower: follow.followerId, followee: follow.followeeId, reason });
      continue;
    }
    plan.follows += 1;
    plan.followRows.push({ follower_id: follow.followerId, followee_id: follow.followeeId, created_at: now });
  }
  plan.social = socialFor(present, followSet(plan.followRows));
  return plan;
}

/**
 * Takes back users an engine refused to insert (its unique indexes fold letter case in ways the
 * plan's toLowerCase() may not: PostgreSQL's lower() maps "İ" to "i"), with their follows and
 * social rows.
 */
export function withdrawUsers(plan: ImportPlan, ids: Set<number>, reason: string): void {
  if (ids.size === 0) return;
  for (const user of plan.imported.filter((candidate) => ids.has(candidate.id))) plan.skipped.push({ user, reason });
  plan.imported = plan.imported.filter((user) => !ids.has(user.id));
  plan.userRows = plan.userRows.filter((row) => !ids.has(row.id as number));
  const [kept, dropped] = [plan.followRows.filter((row) => !ids.has(row.follower_id as number) && !ids.has(row.followee_id as number)), plan.followRows.filter((row) => ids.has(row.follower_id as number) || ids.has(row.followee_id as number))];
  for (const row of dropped) plan.skippedFollows.push({ follower: row.follower_id as number, followee: row.followee_id as number, reason: "one of the two users was not imported" });
  plan.followRows = kept;
  plan.follows = kept.length;
  // Their posts, comments, likes and notifications go too, and what depends on those.
  plan.social = plan.socialFor(presentIds(plan), followSet(plan.followRows));
}
