/**
 * Decides what to import and writes the SQL: users keep their Django ids and hashes; anything
 * that would collide with a different existing user is skipped with the reason; re-running
 * finds its own earlier work and skips it; follow counters are recomputed from the rows.
 */
import { isSupportedHash } from "../../src/auth/passwords/hashers";
import { isServableKey } from "../../src/pictures/picture-store";
import { usernameField } from "../../src/http/fields";
import { literal } from "../d1";
import type { DjangoData, DjangoUser } from "./read";

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

export interface ImportPlan {
  sql: string;
  imported: DjangoUser[];
  alreadyThere: DjangoUser[];
  skipped: { user: DjangoUser; reason: string }[];
  follows: number;
  skippedFollows: { follower: number; followee: number; reason: string }[];
  warnings: string[];
}

const lower = (text: string) => text.toLowerCase();

export function planImport(data: DjangoData, existing: ExistingUser[]): ImportPlan {
  const byId = new Map(existing.map((user) => [user.id, user]));
  const usernames = new Map(existing.map((user) => [lower(user.username), user.username]));
  const emails = new Map(existing.filter((user) => user.email).map((user) => [lower(user.email), user.username]));
  const plan: ImportPlan = { sql: "", imported: [], alreadyThere: [], skipped: [], follows: 0, skippedFollows: [], warnings: [] };
  const statements: string[] = [];

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
    const row: Record<string, string | number | boolean | null> = {
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
    };
    // ON CONFLICT DO NOTHING: a row that appeared since we looked is kept, never overwritten.
    statements.push(`INSERT INTO users (${Object.keys(row).join(", ")}) VALUES (${Object.values(row).map(literal).join(", ")}) ON CONFLICT DO NOTHING;`);
  }

  const present = new Set([...plan.imported, ...plan.alreadyThere].map((user) => user.id));
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
    statements.push(
      `INSERT INTO follows (follower_id, followee_id, created_at) VALUES (${follow.followerId}, ${follow.followeeId}, ${now}) ON CONFLICT DO NOTHING;`,
    );
  }
  if (statements.length > 0) {
    statements.push(
      "UPDATE users SET followers_count = (SELECT count(*) FROM follows WHERE followee_id = users.id), following_count = (SELECT count(*) FROM follows WHERE follower_id = users.id);",
    );
  }
  plan.sql = statements.join("\n");
  return plan;
}
